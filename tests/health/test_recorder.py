"""The worker records each connection's last successful delivery, and only real deliveries."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from tests.factories.health import JIRA, HealthWorld
from tracker.health.connections import SLACK
from tracker.health.models import ConnectionActivity
from tracker.health.recorder import RECORD_EVERY, record_success
from tracker.outbox.models import OutboxMessage, OutboxState
from tracker.outbox.service import enqueue
from tracker.slack.outbound import INTERACTION_KIND, REFRESH_KIND
from tracker.sync.service import SYNC_KIND
from tracker.types import utcnow
from tracker.worker.errors import RetryLater
from tracker.worker.runner import Worker, WorkerContext


def _activity(session: Session) -> dict[str, tuple[datetime, str]]:
    session.expire_all()
    return {a.connection: (a.last_success_at, a.last_success_kind) for a in session.scalars(select(ConnectionActivity))}


def _worker(session_factory: sessionmaker[Session], now: list[datetime], fail: set[str]) -> Worker:
    def handler(ctx: WorkerContext, message: OutboxMessage) -> None:
        if message.kind in fail:
            raise RetryLater("503 from the vendor")

    ctx = WorkerContext(session_factory=session_factory, clock=lambda: now[0])
    kinds = (REFRESH_KIND, INTERACTION_KIND, SYNC_KIND)
    return Worker(ctx, dict.fromkeys(kinds, handler), worker_id="health", on_success=record_success)


def test_a_delivered_message_records_its_connection(session: Session, session_factory: sessionmaker[Session]) -> None:
    world = HealthWorld.build(session, utcnow())
    now = [utcnow() + timedelta(minutes=1)]
    enqueue(session, kind=REFRESH_KIND, payload={"channel": "C1", "ts": "1.0", "item_id": world.linked.id})
    enqueue(session, kind=SYNC_KIND, payload={"action_item_id": world.linked.id})
    session.commit()
    _worker(session_factory, now, fail=set()).run_until_idle()
    assert _activity(session)[SLACK] == (now[0], REFRESH_KIND)
    assert _activity(session)[JIRA] == (now[0], SYNC_KIND)


def test_nothing_is_recorded_without_a_call(session: Session, session_factory: sessionmaker[Session]) -> None:
    world = HealthWorld.build(session, utcnow())
    session.execute(update(OutboxMessage).values(state=OutboxState.done))  # only this test's messages
    before = _activity(session)
    now = [utcnow() + timedelta(minutes=1)]
    # A click is applied in the database; a sync of a broken link sends nothing; a failure is no success.
    enqueue(session, kind=INTERACTION_KIND, payload={})
    enqueue(session, kind=SYNC_KIND, payload={"action_item_id": world.broken.id})
    enqueue(session, kind=REFRESH_KIND, payload={"channel": "C1", "ts": "1.0", "item_id": world.linked.id})
    session.commit()
    _worker(session_factory, now, fail={REFRESH_KIND}).run_until_idle()
    assert _activity(session) == before


def test_the_row_is_written_at_most_every_few_seconds(session: Session,
                                                      session_factory: sessionmaker[Session]) -> None:
    start = utcnow() + timedelta(minutes=1)  # messages queued now are due
    now = [start]
    worker = _worker(session_factory, now, fail=set())
    for step in (timedelta(0), RECORD_EVERY / 2, RECORD_EVERY):
        now[0] = start + step
        enqueue(session, kind=REFRESH_KIND, payload={"channel": "C1", "ts": "1.0", "item_id": 1})
        session.commit()
        worker.run_until_idle()
        expected = start if step < RECORD_EVERY else start + RECORD_EVERY
        assert _activity(session)[SLACK][0] == expected, step
