"""Leases are short and renewed while a message is in hand; a restarted worker takes its own back.

These run on committed data with real transactions: two workers, or a worker and its successor,
must see each other's claims as separate processes would.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import BACKENDS, Database
from tracker.db import make_session_factory, transaction
from tracker.outbox import service as outbox
from tracker.outbox.models import OutboxMessage, OutboxState
from tracker.worker.runner import Worker, WorkerContext

KIND = "test.slow"


@pytest.fixture(params=BACKENDS)
def factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    db = Database(request.param, tmp_path)
    yield make_session_factory(db.engine)
    db.dispose()


def _enqueue(factory: sessionmaker[Session]) -> int:
    with transaction(factory) as session:
        message = outbox.enqueue(session, kind=KIND, payload={})
        assert message is not None
        return message.id


def _state(factory: sessionmaker[Session], message_id: int) -> OutboxMessage:
    with transaction(factory) as session:
        message = session.get(OutboxMessage, message_id)
        assert message is not None
        session.expunge(message)
        return message


def test_a_restarted_worker_takes_its_own_leases_back_at_once(factory: sessionmaker[Session]) -> None:
    message_id = _enqueue(factory)
    now = datetime.now(UTC)
    with transaction(factory) as session:  # the first life: claimed, then killed mid-message
        [claimed] = outbox.claim(session, worker_id="sandbox", now=now, limit=1, lease=timedelta(minutes=5))
    handled: list[int] = []
    # The next life, one second later (the old lease has 299 s to go), under the same worker id.
    ctx = WorkerContext(session_factory=factory, clock=lambda: now + timedelta(seconds=1))
    successor = Worker(ctx, {KIND: lambda c, m: handled.append(m.id)}, worker_id="sandbox")
    stranger = Worker(ctx, {KIND: lambda c, m: handled.append(m.id)}, worker_id="another-host")
    assert stranger.run_once() == 0  # someone else's lease is respected until it runs out
    stop = threading.Event()
    runner = threading.Thread(target=successor.run_forever, args=(stop, 0.02))
    runner.start()
    for _ in range(500):
        if _state(factory, message_id).state is OutboxState.done:
            break
        time.sleep(0.01)
    stop.set()
    runner.join()
    assert handled == [claimed.id]
    assert _state(factory, message_id).attempts == 2  # the interrupted attempt still counts


def test_a_long_handler_keeps_its_lease_and_nobody_else_runs_it(factory: sessionmaker[Session]) -> None:
    calls: list[str] = []

    def slow(ctx: WorkerContext, message: OutboxMessage) -> None:
        calls.append(threading.current_thread().name)
        time.sleep(1.5)  # five times the lease below

    def worker(name: str) -> Worker:
        return Worker(WorkerContext(session_factory=factory), {KIND: slow}, worker_id=name,
                      lease=timedelta(seconds=0.3))

    message_id = _enqueue(factory)
    stop = threading.Event()
    first = threading.Thread(target=worker("w1").run_forever, args=(stop, 0.02), name="w1")
    first.start()
    while not calls:
        time.sleep(0.01)
    # A second worker polls all along the first one's handling; renewed leases keep it out.
    second = threading.Thread(target=worker("w2").run_forever, args=(stop, 0.02), name="w2")
    second.start()
    for _ in range(400):
        if _state(factory, message_id).state is OutboxState.done:
            break
        time.sleep(0.01)
    stop.set()
    first.join()
    second.join()
    assert calls == ["w1"]
    with transaction(factory) as session:
        assert session.scalar(select(OutboxMessage.state).where(OutboxMessage.id == message_id)) is OutboxState.done
