"""The maps' free-text success metrics become metric rows when the schema is upgraded."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text

from tests.conftest import BACKENDS
from tracker.db import make_engine
from tracker.migrations import downgrade, upgrade

BEFORE = "c02a37ee4923"  # the metric tables exist; maps still hold their free text
AFTER = "da09adee626a"
LONG = "Billing contacts per 1,000 invoices " + "x" * 300


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'metrics-migration.db'}"
        return
    base = os.environ["TRACKER_TEST_DATABASE_URL"]
    schema = f"mm_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def _add_map(engine: Engine, name: str, metrics: list[str]) -> int:
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO journey_maps (name, kind, persona, scope_start, scope_end, objectives, "
            "success_metrics, created_at, version) VALUES (:name, 'customer', 'SMB admin', "
            "'start', 'end', :objectives, :metrics, :at, 1)"
        ), {"name": name, "objectives": "[]", "metrics": json.dumps(metrics),
            "at": "2026-10-01 09:00:00+00:00"})
        return int(conn.execute(text("SELECT max(id) FROM journey_maps")).scalar_one())


def test_free_text_metrics_become_metrics_and_come_back(url: str) -> None:
    upgrade(url, BEFORE)
    engine = make_engine(url)
    try:
        invoice = _add_map(engine, "Broken invoice", [
            "Billing contacts per 1k invoices", "Billing CSAT above 4.2/5", "  ",
            "Billing CSAT above 4.2/5", LONG,
        ])
        empty = _add_map(engine, "Onboarding", [])

        upgrade(url, AFTER)
        assert "success_metrics" not in {c["name"] for c in inspect(engine).get_columns("journey_maps")}
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT journey_map_id, name, description, unit, direction, period, source_kind "
                "FROM success_metrics ORDER BY id"
            )).all()
        assert [r.journey_map_id for r in rows] == [invoice] * 4
        assert [r.name for r in rows[:3]] == [
            "Billing contacts per 1k invoices", "Billing CSAT above 4.2/5", "Billing CSAT above 4.2/5 (2)",
        ]
        assert len(rows[3].name) == 200 and rows[3].name.endswith("…")
        assert rows[3].description == LONG  # the whole text survives
        assert {(r.unit, r.direction, r.period, r.source_kind) for r in rows} == {
            ("", "lower_is_better", "weekly", "manual")
        }

        downgrade(url, BEFORE)
        with engine.connect() as conn:
            back = dict(conn.execute(text("SELECT id, success_metrics FROM journey_maps")).all())
        decoded = {k: v if isinstance(v, list) else json.loads(v) for k, v in back.items()}
        assert decoded[invoice] == [
            "Billing contacts per 1k invoices", "Billing CSAT above 4.2/5",
            "Billing CSAT above 4.2/5 (2)", LONG,
        ]
        assert decoded[empty] == []

        upgrade(url, AFTER)  # and up again: the kept rows are not added twice
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM success_metrics")).scalar_one() == 4
    finally:
        engine.dispose()
