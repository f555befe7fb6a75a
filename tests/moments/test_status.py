"""Derived status in every state, through the API, computed without N+1 queries."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from tests import factories
from tests.factories import moments as mf
from tracker.actions.models import Phase
from tracker.investigations.models import InvestigationStatus
from tracker.moments.status import Counts, MomentStatus, derive
from tracker.people.models import Role

P = Phase


@pytest.mark.parametrize(("investigations", "phases", "expected"), [
    ([], [], "open"),
    ([InvestigationStatus.open], [], "investigating"),
    ([InvestigationStatus.in_progress], [], "investigating"),
    ([InvestigationStatus.concluded], [], "investigating"),  # root cause found, no plan yet
    ([InvestigationStatus.concluded], [P.cancelled], "investigating"),  # cancelled is no work
    ([], [P.cancelled], "open"),
    ([InvestigationStatus.open], [P.planned], "actions_planned"),
    ([], [P.planned, P.planned, P.cancelled], "actions_planned"),
    ([], [P.planned, P.implementing], "in_progress"),
    ([], [P.blocked], "in_progress"),
    ([], [P.training, P.closing_loop], "in_progress"),
    ([], [P.done, P.planned], "in_progress"),
    ([], [P.done], "loop_closed"),
    ([InvestigationStatus.open], [P.done, P.cancelled], "loop_closed"),
])
def test_status_in_every_state(client, session, investigations, phases, expected) -> None:
    _, headers = factories.user(session, Role.viewer)
    m = mf.moment(session)
    for status in investigations:
        mf.investigation(session, m, status=status)
    for phase in phases:
        mf.action_item(session, moment_=m, phase=phase)
    session.commit()
    assert client.get(f"/moments/{m.id}", headers=headers).json()["status"] == expected
    listed = client.get("/moments", headers=headers, params={"status": expected}).json()["items"]
    assert [x["id"] for x in listed] == [m.id]


def test_action_items_count_through_their_investigation(client, session) -> None:
    _, headers = factories.user(session, Role.viewer)
    m = mf.moment(session)
    inv = mf.investigation(session, m)
    mf.action_item(session, moment_=None, investigation_id=inv.id, phase=Phase.implementing)
    session.commit()
    detail = client.get(f"/moments/{m.id}", headers=headers).json()
    assert detail["status"] == "in_progress"
    assert detail["action_items_by_phase"] == {"implementing": 1}


def test_pure_derivation_matches_the_documented_rule() -> None:
    assert derive(Counts()) is MomentStatus.open
    assert derive(Counts(investigations=1, investigations_open=0)) is MomentStatus.investigating
    assert derive(Counts(live_actions=2, planned=2)) is MomentStatus.actions_planned
    assert derive(Counts(live_actions=2, planned=1, done=1)) is MomentStatus.in_progress
    assert derive(Counts(live_actions=2, done=2)) is MomentStatus.loop_closed


def _count_queries(client, session, headers, n_moments: int) -> int:
    for _ in range(n_moments):
        m = mf.moment(session)
        mf.investigation(session, m)
        mf.action_item(session, moment_=m, phase=Phase.implementing)
    session.commit()
    client.get("/moments", headers=headers)  # warm-up: token bookkeeping happens once
    statements: list[str] = []
    engine = session.get_bind().engine

    def count(*args) -> None:  # type: ignore[no-untyped-def]
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get("/moments", headers=headers, params={"limit": 200}).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_listing_costs_the_same_number_of_queries_for_3_or_30_moments(client, session) -> None:
    _, headers = factories.user(session, Role.viewer)
    few = _count_queries(client, session, headers, 3)
    many = _count_queries(client, session, headers, 27)
    assert few == many
