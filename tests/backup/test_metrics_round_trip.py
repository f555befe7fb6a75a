"""Success metrics, their observations and the moments naming them survive export and import
unchanged (the demo's history), and the verdicts read from the restored copy are the same."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.backup.test_backup import fresh  # noqa: F401 - the fixture of fresh databases
from tracker.backup import export_programme, import_programme
from tracker.db import make_session_factory, transaction
from tracker.demo import load_demo
from tracker.metrics.models import MomentMetric, Observation, SuccessMetric
from tracker.metrics.verdicts import verdicts_for_moments
from tracker.moments.models import MomentOfTruth

NOW = datetime(2026, 12, 2, 10, tzinfo=UTC)


def _metrics_state(s: Session) -> dict[str, Any]:
    metrics = [(m.id, m.journey_map_id, m.name, m.unit, m.direction, m.period, m.source_kind, m.version)
               for m in s.scalars(select(SuccessMetric).order_by(SuccessMetric.id))]
    observations = [(o.metric_id, o.period_start, o.value, o.source, o.recorded_by_id, o.recorded_at)
                    for o in s.scalars(select(Observation).order_by(Observation.id))]
    links = [(link.moment_id, link.metric_id, link.created_at)
             for link in s.scalars(select(MomentMetric).order_by(MomentMetric.moment_id, MomentMetric.metric_id))]
    ids = list(s.scalars(select(MomentOfTruth.id)))
    verdicts = verdicts_for_moments(s, ids, today=NOW.date())
    return {"metrics": metrics, "observations": observations, "links": links,
            "verdicts": {k: (v.flagged, [(m.name, m.verdict, m.p_value) for m in v.metrics])
                         for k, v in verdicts.items()}}


def test_metrics_observations_and_links_round_trip(fresh: Any) -> None:  # noqa: F811
    source, target = fresh("source"), fresh("target")
    with transaction(make_session_factory(source.engine)) as s:
        load_demo(s, now=NOW)
    with transaction(make_session_factory(source.engine)) as s:
        before = _metrics_state(s)
        data = json.loads(json.dumps(export_programme(s)))
    tables = {t["name"]: len(t["rows"]) for t in data["tables"]}
    assert tables["success_metrics"] == 5 and tables["metric_observations"] == 75
    assert tables["moment_metrics"] == 4
    with transaction(make_session_factory(target.engine)) as s:
        counts = import_programme(s, data)
    assert counts["metric_observations"] == 75
    with transaction(make_session_factory(target.engine)) as s:
        after = _metrics_state(s)
    assert after == before
    verdicts = [v for _, metrics in after["verdicts"].values() for v in metrics]
    assert {v[1].value for v in verdicts} >= {"improved", "no_clear_change"}
