"""Two sweeps at once on PostgreSQL: FOR UPDATE SKIP LOCKED splits the due rows, the unique slot
backs it up, and no nudge is recorded twice. PostgreSQL only (SQLite runs one worker), so the
test exists only when TRACKER_TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import threading
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from tests import factories
from tests.conftest import Database
from tests.factories.nudges import at, bulk_items
from tracker.db import make_session_factory, transaction
from tracker.nudges.models import Nudge
from tracker.nudges.sweep import sweep
from tracker.outbox.models import OutboxMessage
from tracker.people.models import Role

MON = date(2026, 11, 23)
NOW = at(MON, 10)
DUE = 400


def _two_sweeps_split_the_work(tmp_path: Path) -> None:
    db = Database("postgresql", tmp_path)
    try:
        factory = make_session_factory(db.engine)
        with transaction(factory) as session:
            owner = factories.person(session, Role.owner)
            team = factories.team(session, lead_id=factories.person(session, Role.lead).id)
            bulk_items(session, owner=owner, team=team, count=DUE * 10, due=DUE, now=NOW,
                       overdue_deadline=MON - timedelta(days=1), future_deadline=MON + timedelta(days=40))
        # A holds its locked half open until B has swept too: B must skip A's rows, not wait.
        a_swept, b_done = threading.Event(), threading.Event()
        counts: dict[str, int] = {}

        def run(name: str) -> None:
            with transaction(factory) as session:
                if name == "b":
                    a_swept.wait(10)
                counts[name] = sweep(session, now=NOW, limit=DUE // 2 + 50)
                if name == "a":
                    a_swept.set()
                    b_done.wait(10)
            if name == "b":
                b_done.set()

        threads = [threading.Thread(target=run, args=(n,)) for n in "ab"]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert counts["a"] + counts["b"] == DUE and min(counts.values()) >= DUE // 2 - 50, counts
        with transaction(factory) as session:
            assert sweep(session, now=NOW + timedelta(minutes=1)) == 0
            per_item = Counter(session.scalars(select(Nudge.action_item_id)))
            messages = session.scalar(select(func.count()).select_from(OutboxMessage)
                                      .where(OutboxMessage.kind == "slack.nudge"))
        assert len(per_item) == DUE and set(per_item.values()) == {1} and messages == DUE
    finally:
        db.dispose()


if os.environ.get("TRACKER_TEST_DATABASE_URL"):

    def test_two_sweeps_on_postgresql_record_each_nudge_once(tmp_path: Path) -> None:
        _two_sweeps_split_the_work(tmp_path)
