"""The worker's record of each connection's last successful delivery (`connection_activity`).

Called in the transaction that marks a message done. Many workers finishing messages for the
same connection would all update one row, and on PostgreSQL each would wait for the row lock
of the one before: so the row is written only when its time is at least RECORD_EVERY old.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from tracker.health.connections import delivered_through
from tracker.health.models import ConnectionActivity
from tracker.outbox.models import OutboxMessage

log = logging.getLogger(__name__)
RECORD_EVERY = timedelta(seconds=5)


def record_success(session: Session, message: OutboxMessage, now: datetime) -> None:
    """Note that `message` reached its connection. Never fails the delivery it records: a
    problem here is logged and the message stays done."""
    try:
        with session.begin_nested():
            connection = delivered_through(session, message.kind, dict(message.payload or {}))
            if connection is not None:
                touch(session, connection=connection, kind=message.kind, now=now)
    except (SQLAlchemyError, ValueError, KeyError, TypeError):
        log.warning("could not record the delivery of outbox %s for integration health", message.id,
                    exc_info=True)


def touch(session: Session, *, connection: str, kind: str, now: datetime) -> None:
    changed = session.execute(
        update(ConnectionActivity)
        .where(ConnectionActivity.connection == connection,
               ConnectionActivity.last_success_at <= now - RECORD_EVERY)
        .values(last_success_at=now, last_success_kind=kind)
    )
    if changed.rowcount:  # type: ignore[attr-defined]
        return
    # No row yet, or a recent one (then this inserts nothing).
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(ConnectionActivity)
                    .values(connection=connection, last_success_at=now, last_success_kind=kind)
                    .on_conflict_do_nothing(index_elements=["connection"]))
