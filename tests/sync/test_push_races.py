"""A local change that lands while a push is in flight always reaches the ticket.

Each test promotes an item, queues one change (its outbox message waits, unclaimed), and then
lets a second change, in its own transaction, land at one step of the push that handles that
message: held open from before the claim, committed between claim and read, during the vendor
call, held open while the outcome is recorded, or after it. Whatever the step, once the worker
is idle the ticket holds the item's title, no field is left dirty and nothing is pending.

These run on committed data (real transactions, two connections), not in the usual
rolled-back test transaction: the point is how concurrent transactions interleave.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import BACKENDS, Database
from tests.sync.conftest import World
from tests.sync.harness import Vendor, fast_factory
from tracker.actions.service import update_action_item
from tracker.config import Settings
from tracker.db import make_session_factory, transaction
from tracker.outbox.models import OutboxMessage, OutboxState
from tracker.people.models import Person
from tracker.sync.models import TicketLink
from tracker.sync.ports import Connection, TargetSpec, TicketSystem
from tracker.sync.service import promote_item
from tracker.worker.main import build_worker
from tracker.worker.runner import Worker

Hook = Callable[[str], None]


class HookedSystem:
    """A real adapter whose calls announce themselves ("before:update", "after:update", ...)."""

    def __init__(self, inner: TicketSystem, hook: Hook) -> None:
        self._inner = inner
        self._hook = hook

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if name not in ("create", "update", "fetch", "find_by_marker"):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            self._hook(f"before:{name}")
            result = attr(*args, **kwargs)
            self._hook(f"after:{name}")
            return result

        return call


class Change:
    """A second change to the item's title in a transaction of its own, opened and committed
    when the test says so (or committed by a timer, while another thread waits on its locks)."""

    def __init__(self, factory: sessionmaker[Session], item_id: int, lead_id: int, title: str) -> None:
        self.factory, self.item_id, self.lead_id, self.title = factory, item_id, lead_id, title
        self.session: Session | None = None
        self.done = threading.Event()

    def open(self) -> None:
        if self.session is not None:
            return  # one second change per test, however often the hook fires
        self.session = self.factory()
        lead = self.session.get(Person, self.lead_id)
        update_action_item(self.session, actor=lead, item_id=self.item_id, expected_version=None,
                           data={"title": self.title})
        self.session.flush()  # the item is written, the listener has marked the link and enqueued

    def commit(self) -> None:
        if self.session is not None and not self.done.is_set():
            self.session.commit()
            self.session.close()
            self.done.set()

    def commit_later(self, seconds: float) -> None:
        threading.Timer(seconds, self.commit).start()

    def now(self) -> None:
        self.open()
        self.commit()


@pytest.fixture(params=BACKENDS)
def committed(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    db = Database(request.param, tmp_path)
    yield make_session_factory(db.engine)
    db.dispose()


def _setup(committed: sessionmaker[Session], vendor: Vendor, hook: Hook) -> tuple[World, int, Worker]:
    session = committed()
    world = World(session, vendor)
    item_id = world.item().id
    settings = Settings(database_url="sqlite://", base_url="http://tracker.test",
                        connections={vendor.connection_name: vendor.connection_settings()})

    def factory(target: TargetSpec, connection: Connection) -> TicketSystem:
        return HookedSystem(fast_factory(target, connection), hook)  # type: ignore[return-value]

    worker = build_worker(settings, committed, factory=factory, worker_id="race-test")
    with transaction(committed) as s:
        promote_item(s, actor=s.get(Person, world.lead.id), item_id=item_id)
    worker.run_until_idle()
    # The first change: its message waits, unclaimed, for the push the second change races.
    with transaction(committed) as s:
        update_action_item(s, actor=s.get(Person, world.lead.id), item_id=item_id, expected_version=None,
                           data={"title": "First retitle"})
    session.close()
    return world, item_id, worker


def _assert_in_step(committed: sessionmaker[Session], vendor: Vendor, item_id: int, title: str) -> None:
    with transaction(committed) as s:
        link = s.scalar(select(TicketLink).where(TicketLink.action_item_id == item_id))
        assert link is not None and link.remote_key
        pending = s.scalar(select(func.count()).select_from(OutboxMessage)
                           .where(OutboxMessage.state == OutboxState.pending))
        assert vendor.ticket(link.remote_key)["title"] == title
        assert link.dirty_fields == []
        assert pending == 0


STEPS = ["open_before_claim", "before_read", "during_vendor_call", "open_at_outcome", "after_outcome"]


@pytest.mark.parametrize("step", STEPS)
def test_a_change_at_any_step_of_a_push_reaches_the_ticket(step: str, committed, vendor: Vendor) -> None:  # type: ignore[no-untyped-def]
    change: Change | None = None

    def hook(event: str) -> None:
        if change is None:
            return
        if step == "open_before_claim" and event == "before:update":
            change.commit()  # PostgreSQL gets here with the change still open; SQLite waited for it
        elif step == "during_vendor_call" and event == "before:update":
            change.now()
        elif step == "open_at_outcome" and event == "after:update" and change.session is None:
            change.open()
            change.commit_later(0.5)  # the outcome is recorded meanwhile, or waits for it

    world, item_id, worker = _setup(committed, vendor, hook)
    change = Change(committed, item_id, world.lead.id, "Second retitle, made mid-push")
    handler = worker.handlers["ticket.sync"]

    def wrapped(ctx: Any, message: Any) -> None:
        if step == "before_read":
            change.now()
        handler(ctx, message)
        if step == "after_outcome":
            change.now()

    worker.handlers["ticket.sync"] = wrapped
    if step == "open_before_claim":
        change.open()  # the change's enqueue found the first message waiting and folded into it
        change.commit_later(1.0)  # on SQLite the worker's claim waits for this commit
        runner = threading.Thread(target=worker.run_once)
        runner.start()
        runner.join(timeout=30)
    assert worker.run_until_idle() >= 0
    change.done.wait(5)
    worker.handlers["ticket.sync"] = handler
    worker.run_until_idle()
    _assert_in_step(committed, vendor, item_id, "Second retitle, made mid-push")
