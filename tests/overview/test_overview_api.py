"""GET /programme/overview against a constructed programme with a pinned today.

Today is Wednesday 25 November 2026, in ISO week 2026-W48 (Monday 23 - Sunday 29); the twelve
weeks are 2026-W37 (from Monday 7 September) to 2026-W48.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from tests import factories
from tests.factories.actions import moment
from tests.factories.digests import checklist, item, training
from tests.factories.nudges import at
from tracker.actions.models import ChecklistEntry
from tracker.actions.models import NotificationStatus as N
from tracker.actions.models import Phase as P
from tracker.investigations.models import Investigation
from tracker.overview.service import programme_overview
from tracker.people.models import Role
from tracker.sync.models import LinkState, TargetKind, TicketLink, TicketTarget
from tracker.web.charts.programme import closed_loop_bar, training_bar, week_points
from tracker.web.charts.weekly import weekly_chart

TODAY = date(2026, 11, 25)
LATER = date(2027, 1, 31)
WEEKS = [f"2026-W{n}" for n in range(37, 49)]


def told(session: Session, obj: Any, status: N, when: Any) -> None:
    checklist(session, obj, status)
    entry = session.query(ChecklistEntry).filter_by(action_item_id=obj.id).order_by(ChecklistEntry.id.desc()).first()
    assert entry is not None
    entry.notified_at = when
    session.flush()


@pytest.fixture
def programme(session: Session) -> dict[str, Any]:
    ana = factories.person(session, Role.owner, name="Ana Ruiz")
    ben = factories.person(session, Role.owner, name="Ben Okafor")
    billing, docs = factories.team(session, name="Billing"), factories.team(session, name="Docs")
    factories.team(session, name="Quiet team")  # nothing overdue: not listed
    m_closed, m_busy, m_looking, _m_open = (moment(session) for _ in range(4))
    session.add(Investigation(moment_id=m_looking.id, title="Why chat is slow"))
    created = at(date(2026, 9, 1))
    # Done in W47 after being overdue since 10 Nov: overdue at the end of W46 only.
    late_done = item(session, billing, ana, "Fix VAT line", P.done, date(2026, 11, 10), created_at=created,
                     completed_at=at(date(2026, 11, 18)), moment_id=m_closed.id)
    # Open and overdue: deadline Fri 20 Nov (W47), 1 Oct (from W40), yesterday (W48 only).
    slipping = item(session, billing, ana, "Refund form", P.implementing, date(2026, 11, 20), created_at=created,
                    moment_id=m_busy.id)
    item(session, docs, ben, "Export", P.blocked, date(2026, 10, 1), created_at=created,
         phase_before_block=P.implementing)
    item(session, billing, ben, "Price page", P.planned, date(2026, 11, 24), created_at=created)
    # Overdue from the day it was created (in W47), not before.
    item(session, billing, ana, "Late arrival", P.planned, date(2026, 10, 15), created_at=at(date(2026, 11, 20)))
    # Not overdue: due today; cancelled; done long ago; done in W37.
    item(session, billing, ana, "Due today", P.planned, TODAY, created_at=created)
    dropped = item(session, docs, ben, "Dropped", P.cancelled, date(2026, 10, 1), created_at=created)
    item(session, docs, ben, "Old fix", P.done, date(2026, 8, 1), created_at=at(date(2026, 7, 1)),
         completed_at=at(date(2026, 9, 1)))
    item(session, docs, ben, "Early fix", P.done, LATER, created_at=created, completed_at=at(date(2026, 9, 8)))
    # Closing the loop: told in W47 and W48 (an acknowledgement counts as told), one unreachable,
    # two pending; a cancelled item's list is left out of the progress but its told customer counts.
    told(session, late_done, N.notified, at(date(2026, 11, 19)))
    told(session, late_done, N.acknowledged, at(date(2026, 11, 24)))
    told(session, late_done, N.unreachable, at(date(2026, 11, 19)))
    checklist(session, slipping, N.pending, N.pending)
    checklist(session, dropped, N.pending)
    told(session, dropped, N.notified, at(date(2026, 10, 28)))  # W44
    # Training: 4 of 10 and 12 of 10 (counted as 10); a waived and a cancelled item are left out.
    training(session, slipping, trained=4, target=10, sessions=1)
    training(session, late_done, trained=12, target=10, sessions=2)
    waived = item(session, docs, ben, "Waived", P.closing_loop, LATER, training_waived_reason="covered by FAQ")
    training(session, waived, trained=0, target=50, sessions=0)
    training(session, dropped, trained=0, target=30, sessions=0)
    target = TicketTarget(name="Billing Jira", kind=TargetKind.jira, connection="acme", project="BILL")
    session.add(target)
    session.flush()
    session.add_all([
        TicketLink(action_item_id=slipping.id, target_id=target.id, state=LinkState.broken, marker="m-1"),
        TicketLink(action_item_id=late_done.id, target_id=target.id, state=LinkState.linked, marker="m-2"),
    ])
    session.flush()
    _, headers = factories.user(session, Role.viewer)
    return {"headers": headers, "ana": ana, "ben": ben, "billing": billing, "docs": docs}


def get(app: FastAPI, client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    app.state.today = lambda: TODAY
    response = client.get("/programme/overview", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_phases_overdue_moments_loop_training_links(app: FastAPI, client: TestClient,
                                                    programme: dict[str, Any]) -> None:
    body = get(app, client, programme["headers"])
    assert body["as_of"] == "2026-11-25"
    assert body["items_by_phase"] == [
        {"phase": "planned", "count": 3}, {"phase": "implementing", "count": 1}, {"phase": "training", "count": 0},
        {"phase": "closing_loop", "count": 1}, {"phase": "done", "count": 3}, {"phase": "blocked", "count": 1},
        {"phase": "cancelled", "count": 1}]
    assert body["items_total"] == 10
    assert body["overdue_total"] == 4
    billing, docs = programme["billing"], programme["docs"]
    assert body["overdue_by_team"] == [
        {"id": billing.id, "name": "Billing", "count": 3, "oldest_deadline": "2026-10-15"},
        {"id": docs.id, "name": "Docs", "count": 1, "oldest_deadline": "2026-10-01"}]
    assert [(o["name"], o["count"]) for o in body["overdue_by_owner"]] == [("Ana Ruiz", 2), ("Ben Okafor", 2)]
    assert body["owners_with_overdue"] == 2
    assert body["moments_total"] == 4
    assert {s["status"]: s["count"] for s in body["moments_by_status"]} == {
        "open": 1, "investigating": 1, "actions_planned": 0, "in_progress": 1, "loop_closed": 1}
    assert body["closed_loop"] == {"told": 2, "to_tell": 2, "unreachable": 1, "total": 5, "percent": 40}
    assert body["training"] == {"items": 2, "items_complete": 1, "people_trained": 14, "target": 20,
                                "percent": 70}
    assert body["broken_ticket_links"] == 1


def test_twelve_weeks_of_done_overdue_and_told(app: FastAPI, client: TestClient,
                                               programme: dict[str, Any]) -> None:
    weeks = get(app, client, programme["headers"])["weeks"]
    assert [w["week"] for w in weeks] == WEEKS
    assert weeks[0]["period"] == "7-13 Sep 2026" and weeks[-1]["period"] == "23-29 Nov 2026"
    by_week = {w["week"]: (w["done"], w["overdue_at_end"], w["customers_told"]) for w in weeks}
    assert by_week == {
        "2026-W37": (1, 0, 0), "2026-W38": (0, 0, 0), "2026-W39": (0, 0, 0),
        "2026-W40": (0, 1, 0), "2026-W41": (0, 1, 0), "2026-W42": (0, 1, 0), "2026-W43": (0, 1, 0),
        "2026-W44": (0, 1, 1), "2026-W45": (0, 1, 0),
        "2026-W46": (0, 2, 0),  # the VAT line, done on the 18th, was overdue on Sunday the 15th
        "2026-W47": (1, 3, 1),  # + the refund form (due the 20th) and the late arrival (created the 20th)
        "2026-W48": (0, 4, 1),  # + the price page, due yesterday: today's overdue total
    }


def test_the_home_pictures_draw_from_the_same_answer(session: Session, programme: dict[str, Any]) -> None:
    overview = programme_overview(session, today=TODAY)
    points = week_points(overview)
    assert [p.label for p in points] == WEEKS and points[-1].overdue == overview.overdue_total
    assert 'class="chart weekly"' in weekly_chart(points)
    assert "Customers told: 2 of 5 (40%)" in closed_loop_bar(overview)
    assert "Training: 14 of 20 people trained (70%)" in training_bar(overview)


def test_an_empty_programme_has_zeros_not_errors(app: FastAPI, client: TestClient, session: Session) -> None:
    _, headers = factories.user(session, Role.viewer)
    body = get(app, client, headers)
    assert body["items_total"] == 0 and body["overdue_by_team"] == [] and body["overdue_by_owner"] == []
    assert body["closed_loop"]["percent"] == 0 and body["training"]["percent"] == 0
    assert len(body["weeks"]) == 12 and all(w["done"] == w["overdue_at_end"] == 0 for w in body["weeks"])


def test_the_query_count_does_not_grow_with_the_programme(session: Session, programme: dict[str, Any]) -> None:
    """Aggregates only: ten times the items, the same statements."""
    statements: list[str] = []

    def count(*args: Any) -> None:
        if not args[2].startswith(("SAVEPOINT", "RELEASE")):  # the test's transaction, not the service
            statements.append(args[2])

    engine = session.get_bind()
    session.flush()
    event.listen(engine, "before_cursor_execute", count)
    try:
        programme_overview(session, today=TODAY)
        small = len(statements)
        for n in range(60):
            item(session, programme["billing"], programme["ana"], f"More {n}", P.implementing,
                 date(2026, 10, n % 28 + 1))
        session.flush()
        statements.clear()
        programme_overview(session, today=TODAY)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == small


def test_signing_in_is_required(client: TestClient) -> None:
    assert client.get("/programme/overview").status_code == 401
