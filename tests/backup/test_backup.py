"""Whole-programme export/import: a round trip changes nothing; bad files write nothing."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import BACKENDS, Database
from tests.factories import person
from tracker.actions.models import ActionItem, Phase, Priority
from tracker.auth.service import issue_token
from tracker.backup import FORMAT_VERSION, export_programme, import_programme
from tracker.db import make_session_factory, transaction
from tracker.demo import load_demo
from tracker.errors import Conflict, InvalidInput
from tracker.people.models import Person, Role, Team


@pytest.fixture(params=BACKENDS)
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """Makes fresh, migrated, EMPTY databases of one backend (the shared one is not empty
    outside each test's transaction once committed, and imports commit)."""
    made: list[Database] = []

    def make(name: str) -> Database:
        folder = tmp_path / name
        folder.mkdir()
        made.append(Database(request.param, folder))
        return made[-1]

    yield make
    for db in made:
        db.dispose()


def _export(db: Database) -> dict[str, Any]:
    with transaction(make_session_factory(db.engine)) as s:
        return export_programme(s)


def test_round_trip_is_identical_and_new_rows_get_fresh_ids(fresh: Any) -> None:
    source, target = fresh("source"), fresh("target")
    with transaction(make_session_factory(source.engine)) as s:
        load_demo(s)
    first = _export(source)
    text = json.dumps(first)  # through real JSON: every value must be JSON-safe

    with transaction(make_session_factory(target.engine)) as s:
        counts = import_programme(s, json.loads(text))
    assert counts["action_items"] == 17 and counts["people"] == 10
    second = _export(target)
    assert {**second, "exported_at": None} == {**first, "exported_at": None}

    # Sequences were moved past the imported ids (PostgreSQL), so ordinary inserts still work.
    with transaction(make_session_factory(target.engine)) as s:
        newcomer = Person(name="New Hire", email="new.hire@example.com", role=Role.owner)
        s.add(newcomer)
        s.flush()
        team = s.scalars(select(Team).order_by(Team.id)).first()
        assert team is not None
        item = ActionItem(title="After the restore", team_id=team.id, owner_id=newcomer.id,
                          deadline=newcomer.created_at.date(), priority=Priority.low,
                          phase=Phase.planned)
        s.add(item)
        s.flush()
        assert newcomer.id == 11 and item.id == 18


def test_api_tokens_are_never_exported(session: Session) -> None:
    who = person(session)
    issue_token(session, person=who, name="secret")
    data = export_programme(session)
    names = [t["name"] for t in data["tables"]]
    assert "api_tokens" not in names and "api_tokens" in data["not_exported"]
    assert "token_hash" not in json.dumps(data)
    assert names.index("people") < names.index("teams") < names.index("action_items")
    assert data["format_version"] == FORMAT_VERSION


def _demo_export(session: Session) -> dict[str, Any]:
    """An export of the demo, taken inside the test's transaction, then the demo rolled back."""
    savepoint = session.begin_nested()
    load_demo(session)
    data = export_programme(session)
    savepoint.rollback()
    return data


def _rows(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Person)) or 0


def test_import_into_a_non_empty_database_is_refused(session: Session) -> None:
    data = _demo_export(session)
    person(session)
    with pytest.raises(Conflict, match="empty database; these tables have rows: people") as err:
        import_programme(session, data)
    assert err.value.details["tables"] == ["people"]
    assert _rows(session) == 1


def test_unknown_tables_and_columns_are_named_and_nothing_written(session: Session) -> None:
    data = _demo_export(session)
    bad = copy.deepcopy(data)
    bad["tables"].append({"name": "invoices", "rows": []})
    _table(bad, "people")[0]["shoe_size"] = 44
    bad["tables"].append({"name": "api_tokens", "rows": []})
    with pytest.raises(InvalidInput) as err:
        import_programme(session, bad)
    message = err.value.message
    assert "unknown table invoices" in message
    assert "unknown column people.shoe_size" in message
    assert "table api_tokens is never imported" in message
    assert _rows(session) == 0


@pytest.mark.parametrize(("mutate", "field", "needle"), [
    (lambda d: d.update(format="other"), "format", "not a tracker export"),
    (lambda d: d.update(format_version=99), "format_version", "unsupported format_version 99"),
    (lambda d: d.update(schema_revision="0000abc"), "schema_revision", "tracker migrate"),
    (lambda d: d.update(tables={"people": []}), "tables", "must be a list"),
])
def test_bad_headers(session: Session, mutate: Any, field: str, needle: str) -> None:
    data = copy.deepcopy(_demo_export(session))
    mutate(data)
    with pytest.raises(InvalidInput, match=needle) as err:
        import_programme(session, data)
    assert err.value.field == field
    assert _rows(session) == 0


def _table(data: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return next(t["rows"] for t in data["tables"] if t["name"] == name)


def test_bad_values_are_named_by_table_row_and_column(session: Session) -> None:
    data = copy.deepcopy(_demo_export(session))
    _table(data, "action_items")[0]["deadline"] = "next Tuesday"
    _table(data, "action_items")[1]["phase"] = "someday"
    _table(data, "people")[2]["created_at"] = "2026-01-01T10:00:00"  # naive
    _table(data, "people")[3]["name"] = None
    with pytest.raises(InvalidInput) as err:
        import_programme(session, data)
    # "<table> row <n> (<id>) <column>: <why>"; ids differ per backend (PostgreSQL sequences
    # are not rolled back), so only the shape of the id is checked.
    problems = [re.sub(r"\(\d+\)", "(id)", p) for p in err.value.details["problems"]]
    assert any(p.startswith("action_items row 1 (id) deadline: ") for p in problems)
    assert "action_items row 2 (id) phase: 'someday' is not one of planned, implementing, " \
           "training, closing_loop, done, blocked, cancelled" in problems
    assert "people row 3 (id) created_at: must carry a UTC offset" in problems
    assert "people row 4 (id) name: must not be null" in problems
    assert _rows(session) == 0


def test_inconsistent_references_are_an_error_not_a_crash(session: Session) -> None:
    data = copy.deepcopy(_demo_export(session))
    _table(data, "action_items")[0]["owner_id"] = 9999
    with pytest.raises(InvalidInput, match="not consistent"):
        import_programme(session, data)


def test_the_importer_applies_the_apis_rules(session: Session) -> None:
    """What the API refuses, the importer refuses too, on SQLite as on PostgreSQL: texts past
    their column's length, NUL characters, ids past 32 bits, deadlines outside 2000..2100."""
    data = copy.deepcopy(_demo_export(session))
    _table(data, "action_items")[0]["title"] = "x" * 100_000
    _table(data, "action_items")[1]["deadline"] = "0269-05-04"
    _table(data, "people")[0]["name"] = "Ana\x00"
    _table(data, "teams")[0]["lead_id"] = 2**40
    with pytest.raises(InvalidInput) as err:
        import_programme(session, data)
    problems = [re.sub(r"\(\d+\)", "(id)", p) for p in err.value.details["problems"]]
    assert "action_items row 1 (id) title: is 100000 characters; at most 200" in problems
    assert "action_items row 2 (id) deadline: must be between 2000-01-01 and 2100-12-31" in problems
    assert "people row 1 (id) name: must not contain NUL characters" in problems
    assert any(p.startswith("teams row 1 (id) lead_id: ") and "range" in p for p in problems)
    assert _rows(session) == 0
