"""Randomized stress on PostgreSQL: changes and pushes interleave freely, tickets end equal to items.

Client threads move linked items implementing -> closing_loop -> done back to back and retitle
them, each change in its own transaction, while two workers push concurrently (SKIP LOCKED,
row locks on the links). Once everything is drained, every Jira ticket holds its item's title
and the status its phase maps to, no link has a field left dirty and nothing is pending.

PostgreSQL only (SQLite runs one writer at a time, so nothing interleaves there): without
TRACKER_TEST_DATABASE_URL there is no such test rather than a skipped one.
"""

from __future__ import annotations

import os
import random
import threading
from pathlib import Path

from sqlalchemy import func, select

from integrations.jira.mapping import JiraMapping
from tests.conftest import Database
from tests.sync.conftest import World
from tests.sync.harness import fast_factory, make_vendor
from tracker.actions.models import ActionItem, Phase
from tracker.actions.service import change_phase, update_action_item
from tracker.config import Settings
from tracker.db import make_session_factory, transaction
from tracker.errors import TrackerError
from tracker.outbox.models import OutboxMessage, OutboxState
from tracker.people.models import Person
from tracker.sync.models import LinkState, TicketLink
from tracker.sync.service import promote_item
from tracker.worker.main import build_worker

ITEMS = 40
CLIENTS = 6
MOVES = (Phase.implementing, Phase.closing_loop, Phase.done)


def _stress(tmp_path: Path) -> None:
    db = Database("postgresql", tmp_path)
    vendor = make_vendor("jira")
    factory = make_session_factory(db.engine)
    try:
        session = factory()
        world = World(session, vendor)
        item_ids = [world.item().id for _ in range(ITEMS)]
        session.close()
        settings = Settings(database_url=db.url, base_url="http://tracker.test",
                            connections={vendor.connection_name: vendor.connection_settings()})
        workers = [build_worker(settings, factory, factory=fast_factory, worker_id=f"stress-{n}") for n in range(2)]
        with transaction(factory) as s:
            lead = s.get(Person, world.lead.id)
            for item_id in item_ids:
                promote_item(s, actor=lead, item_id=item_id)
        workers[0].run_until_idle()

        stop = threading.Event()
        runners = [threading.Thread(target=w.run_forever, args=(stop, 0.005)) for w in workers]
        for r in runners:
            r.start()
        errors: list[str] = []

        def client(seed: int) -> None:
            rng = random.Random(seed)
            mine = item_ids[seed::CLIENTS]
            for item_id in mine:
                for step, phase in enumerate(MOVES):
                    try:
                        with transaction(factory) as s:
                            actor = s.get(Person, world.lead.id)
                            if rng.random() < 0.5:
                                update_action_item(s, actor=actor, item_id=item_id, expected_version=None,
                                                   data={"title": f"Item {item_id} step {step} ({seed})"})
                            change_phase(s, actor=actor, item_id=item_id, to=phase, expected_version=None)
                    except TrackerError as exc:  # a refused move is fine; the end state is what counts
                        errors.append(f"{item_id}: {exc}")

        clients = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for c in clients:
            c.start()
        for c in clients:
            c.join()
        stop.set()
        for r in runners:
            r.join()
        workers[0].run_until_idle()

        mapping = JiraMapping.from_overrides({})
        with transaction(factory) as s:
            pending = s.scalar(select(func.count()).select_from(OutboxMessage)
                               .where(OutboxMessage.state == OutboxState.pending))
            assert pending == 0
            drift = []
            for link, item in s.execute(select(TicketLink, ActionItem)
                                        .join(ActionItem, ActionItem.id == TicketLink.action_item_id)):
                ticket = vendor.ticket(link.remote_key)
                wanted = (item.title, mapping.status_for(item.phase))
                if link.state is not LinkState.linked or link.dirty_fields \
                        or (ticket["title"], ticket["status"]) != wanted:
                    drift.append((item.id, link.state.value, link.dirty_fields, ticket["title"], ticket["status"],
                                  wanted))
            assert drift == [], f"{len(drift)} tickets differ from their items: {drift[:3]}"
            assert s.scalar(select(func.count()).select_from(ActionItem).where(ActionItem.phase == Phase.done)) \
                > ITEMS // 2  # the moves really happened
    finally:
        vendor.emulator.stop()
        db.dispose()


if os.environ.get("TRACKER_TEST_DATABASE_URL"):

    def test_tickets_end_equal_to_items_under_random_interleaving(tmp_path: Path) -> None:
        _stress(tmp_path)
