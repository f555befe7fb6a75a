"""GET /programme/root-causes and GET /programme/priority-matrix."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests import factories
from tests.factories.actions import moment
from tracker.investigations.models import Investigation, RootCauseCategory
from tracker.journeys.models import JourneyMap, MapKind
from tracker.moments import priority
from tracker.overview.schemas import MatrixRow
from tracker.people.models import Role
from tracker.web.charts.pareto import pareto_chart, pareto_rows
from tracker.web.charts.programme import category_bars, matrix_points

WEIGHTS = priority.Weights(reach=0.3, severity=0.3, emotional_weight=0.2, business_impact=0.2)


def investigations(session: Session, *rows: tuple[RootCauseCategory | None, str | None]) -> None:
    m = moment(session)
    for category, area in rows:
        session.add(Investigation(moment_id=m.id, title="Why", root_cause_category=category, root_cause_area=area))
    session.flush()


def test_root_causes_by_category_and_area(client: TestClient, session: Session) -> None:
    c = RootCauseCategory
    investigations(session, (c.process, "Billing"), (c.process, "billing "), (c.process, "Invoice PDF"),
                   (c.tool, "Invoice PDF"), (c.policy, "billing"), (None, None), (None, "  "))
    _, headers = factories.user(session, Role.viewer)
    body = client.get("/programme/root-causes", headers=headers).json()
    assert body["by_category"] == [
        {"category": "process", "count": 3}, {"category": "policy", "count": 1}, {"category": "tool", "count": 1},
        {"category": "department", "count": 0}]
    # "billing" twice and "Billing" once: one area, in its most common spelling.
    assert body["by_area"] == [{"area": "billing", "count": 3}, {"area": "Invoice PDF", "count": 2}]
    assert (body["categorised"], body["uncategorised"]) == (5, 2)


def test_root_causes_feed_a_pareto_that_ends_at_100(client: TestClient, session: Session) -> None:
    from tracker.overview.insights import root_causes

    investigations(session, (RootCauseCategory.tool, None), (RootCauseCategory.department, None),
                   (RootCauseCategory.tool, None))
    rows = pareto_rows(category_bars(root_causes(session)))
    assert [(r.label, r.count) for r in rows][:2] == [("tool", 2), ("department", 1)]
    assert rows[-1].cumulative == 100.0
    assert "chart-no-data" not in pareto_chart(category_bars(root_causes(session)))


def matrix(client: TestClient, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    response = client.get("/programme/priority-matrix", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_priority_matrix_rows_carry_value_effort_score_and_effective_rank(client: TestClient,
                                                                          session: Session) -> None:
    jmap = JourneyMap(name="Invoice", kind=MapKind.customer, persona="SMB", scope_start="a", scope_end="b")
    session.add(jmap)
    session.flush()
    factors = {"reach": 4, "severity": 5, "emotional_weight": 3, "business_impact": 2, "effort": 2,
               "confidence": 4}
    top = moment(session, jmap.id, **factors, score=priority.score(factors, WEIGHTS))
    low = moment(session, jmap.id, reach=1, severity=1, emotional_weight=1, business_impact=1, effort=5,
                 confidence=1, score=0.8)
    pinned = moment(session, None, score=10.0, rank_override=1, rank_override_reason="CEO escalation")
    _, headers = factories.user(session, Role.viewer)
    rows = matrix(client, headers)
    assert [r["id"] for r in rows] == [pinned.id, top.id, low.id]
    assert [r["rank"] for r in rows] == [1, 2, 3]
    first = rows[1]
    assert (first["value"], first["effort"], first["score"], first["reach"]) == (3.7, 2, 47.4, 4)
    assert first["title"] == top.title
    # One map's moments keep their programme rank.
    assert [(r["id"], r["rank"]) for r in matrix(client, headers, journey_map_id=jmap.id)] == [
        (top.id, 2), (low.id, 3)]
    points = matrix_points([MatrixRow.model_validate(r) for r in rows])
    assert [(p.moment_id, p.value, p.effort) for p in points][1] == (top.id, 3.7, 2)


def test_priority_matrix_of_an_empty_programme_is_empty(client: TestClient, session: Session) -> None:
    _, headers = factories.user(session, Role.viewer)
    assert matrix(client, headers) == []
