"""Items' open spans where no flush writes them: the migration's backfill and an import without them.

Both give each item the one span its row implies (open since creation; done from creation to
completion; cancelled none), the same rows `spans.derived_from_items` selects.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import BACKENDS, Database
from tracker.actions.models import ActionItem, Phase
from tracker.actions.spans import OpenSpan, derived_from_items
from tracker.backup import export_programme, import_programme
from tracker.db import make_session_factory, transaction
from tracker.demo import load_demo
from tracker.migrations import downgrade, upgrade

BEFORE_SPANS = "3f6a2c8e1d57"


@pytest.fixture(params=BACKENDS)
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    made: list[Database] = []

    def make(name: str) -> Database:
        folder = tmp_path / name
        folder.mkdir()
        made.append(Database(request.param, folder))
        return made[-1]

    yield make
    for db in made:
        db.dispose()


def _spans(session: Session) -> list[tuple[Any, ...]]:
    return sorted(tuple(r) for r in session.execute(
        select(OpenSpan.action_item_id, OpenSpan.deadline, OpenSpan.started_at, OpenSpan.ended_at)))


def _expected(session: Session) -> list[tuple[Any, ...]]:
    rows = sorted(tuple(r) for r in session.execute(derived_from_items()))
    phases = {i: p for i, p in session.execute(select(ActionItem.id, ActionItem.phase))}
    # The demo has items open, done and cancelled: each case is exercised.
    assert {phases[r[0]] for r in rows} >= {Phase.done, Phase.planned}
    assert len(rows) == sum(1 for p in phases.values() if p is not Phase.cancelled) < len(phases)
    return rows


def test_the_migration_gives_existing_items_their_span(fresh: Any) -> None:
    db = fresh("migrated")
    with transaction(make_session_factory(db.engine)) as s:
        load_demo(s)
    downgrade(db.url, BEFORE_SPANS)
    upgrade(db.url)
    with transaction(make_session_factory(db.engine)) as s:
        assert _spans(s) == _expected(s)


def test_an_import_without_spans_derives_them(fresh: Any) -> None:
    source, target = fresh("source"), fresh("target")
    with transaction(make_session_factory(source.engine)) as s:
        load_demo(s)
    with transaction(make_session_factory(source.engine)) as s:
        data = export_programme(s)
    data["tables"] = [t for t in data["tables"] if t["name"] != OpenSpan.__tablename__]
    with transaction(make_session_factory(target.engine)) as s:
        import_programme(s, data)
    with transaction(make_session_factory(target.engine)) as s:
        assert _spans(s) == _expected(s)
