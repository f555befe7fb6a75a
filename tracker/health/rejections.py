"""Counting signed requests refused for their signature (webhooks, Slack), per source and hour.

Anyone can send a forged request, so counting must stay cheap for a flood of them: the rows
are one per source and hour (sources are configured connections only), and each process
writes a source's count at most once every WRITE_EVERY. Refusals in between are added up in
memory and written with the next one after the interval; until then the process's own health
page adds them (`unwritten`). Like the API-token throttle, the unwritten part is per process
and lost on restart: the figure is a signal, not an audit log.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from fastapi import Request
from sqlalchemy import delete, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from tracker.db import transaction
from tracker.health.models import InboundRejection
from tracker.types import utcnow

log = logging.getLogger(__name__)
WRITE_EVERY = 10.0  # seconds between two writes of one source's count, per process
KEEP = timedelta(days=7)
SLACK_SOURCE = "slack"


def hour_of(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


class RejectionTally:
    """Refusals not yet written, per source, and when each source was last written."""

    def __init__(self, write_every: float = WRITE_EVERY, clock: Callable[[], float] = time.monotonic) -> None:
        self.write_every = write_every
        self.clock = clock
        self._pending: dict[str, int] = {}
        self._written_at: dict[str, float] = {}
        self._lock = threading.Lock()

    def note(self, source: str) -> int:
        """Count one refusal; returns how many to write now (0: keep counting in memory)."""
        with self._lock:
            self._pending[source] = self._pending.get(source, 0) + 1
            now = self.clock()
            last = self._written_at.get(source)
            if last is not None and now - last < self.write_every:
                return 0
            self._written_at[source] = now
            return self._pending.pop(source)

    def give_back(self, source: str, count: int) -> None:
        """A write failed: keep its count for the next one."""
        with self._lock:
            self._pending[source] = self._pending.get(source, 0) + count
            self._written_at.pop(source, None)

    def unwritten(self) -> dict[str, int]:
        with self._lock:
            return dict(self._pending)


_create_lock = threading.Lock()


def tally_of(state: object) -> RejectionTally:
    """The app's tally (one per app, made on first use)."""
    with _create_lock:
        tally = getattr(state, "rejection_tally", None)
        if tally is None:
            tally = RejectionTally()
            setattr(state, "rejection_tally", tally)  # noqa: B010 - Starlette's State is dynamic
        assert isinstance(tally, RejectionTally)
        return tally


def add_rejections(session: Session, *, source: str, count: int, now: datetime) -> None:
    """Add `count` to the source's row for this hour; a new hour also clears rows past KEEP."""
    hour = hour_of(now)
    changed = session.execute(update(InboundRejection)
                              .where(InboundRejection.source == source, InboundRejection.hour == hour)
                              .values(count=InboundRejection.count + count))
    if changed.rowcount:  # type: ignore[attr-defined]
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(InboundRejection).values(source=source, hour=hour, count=count)
    session.execute(stmt.on_conflict_do_update(index_elements=["source", "hour"],
                                               set_={"count": InboundRejection.count + count}))
    session.execute(delete(InboundRejection).where(InboundRejection.hour < hour - KEEP))


def _write(factory: sessionmaker[Session], source: str, count: int) -> None:
    with transaction(factory) as session:
        add_rejections(session, source=source, count=count, now=utcnow())


async def count_rejection(request: Request, source: str) -> None:
    """Called by an endpoint about to refuse a request for its signature. Never raises: the
    caller's 401 must not become a 500 because the database is busy."""
    tally = tally_of(request.app.state)
    count = tally.note(source)
    if not count:
        return
    try:
        # In a worker thread, like every database call of the async endpoints.
        await run_in_threadpool(_write, request.app.state.session_factory, source, count)
    except SQLAlchemyError:
        tally.give_back(source, count)
        log.warning("could not record %d refused request(s) from %s", count, source, exc_info=True)
