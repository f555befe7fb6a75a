"""Listing action items: filters, sorts, cursor pages without gaps or repeats, overdue by clock."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text

from tests import factories
from tests.factories import actions as af
from tracker.actions import service
from tracker.actions.models import ActionItem, Phase
from tracker.actions.queries import ActionFilters, list_query
from tracker.journeys.models import JourneyStage
from tracker.people.models import Role

TODAY = date(2031, 6, 15)
SORT_KEYS = ["deadline", "-deadline", "created_at", "-created_at", "updated_at", "-updated_at"]


@pytest.fixture
def programme(session):  # type: ignore[no-untyped-def]
    """Ten items over two teams, two owners, two moments (one per map), mixed phases/deadlines."""
    lead = factories.person(session, Role.lead)
    owners = [factories.person(session, Role.owner) for _ in range(2)]
    teams = [factories.team(session) for _ in range(2)]
    m1 = af.moment(session)  # on no map
    step = af.journey_step(session)
    map_id = session.get(JourneyStage, step.stage_id).journey_map_id
    m2 = af.moment(session, journey_map_id=map_id)
    inv = af.investigation(session, moment_id=m2.id)
    offsets = [-10, -1, -1, 0, 3, 3, 3, 9, 20, -5]  # days from TODAY; repeats test tie-breaks
    items = []
    for i, offset in enumerate(offsets):
        links = [{"investigation_id": inv.id}, {"moment_id": m1.id}, {}][i % 3]
        items.append(af.action_item(session, lead=lead, owner=owners[i % 2], team_id=teams[i % 2].id,
                                    deadline=TODAY + timedelta(days=offset), **links))
    # Items 1-3 implementing, item 9 cancelled, item 0 done; the rest planned.
    for item in items[1:4]:
        service.change_phase(session, actor=None, item_id=item.id, to=Phase.implementing,
                             expected_version=None)
    service.change_phase(session, actor=None, item_id=items[9].id, to=Phase.cancelled,
                         expected_version=None, reason="dropped")
    for step_phase in (Phase.implementing, Phase.closing_loop, Phase.done):
        service.change_phase(session, actor=None, item_id=items[0].id, to=step_phase,
                             expected_version=None)
    session.commit()
    _, headers = factories.user(session, Role.viewer)
    return {"items": items, "owners": owners, "teams": teams, "m1": m1, "m2": m2, "inv": inv,
            "map_id": map_id, "headers": headers}


def _ids(client, headers, query: str) -> list[int]:  # type: ignore[no-untyped-def]
    """Walk every page of a query (limit 3) and return the ids in order."""
    ids: list[int] = []
    cursor = None
    for _ in range(20):
        url = f"/action-items?limit=3&{query}" + (f"&cursor={cursor}" if cursor else "")
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= 3
        ids += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return ids
    raise AssertionError("pagination did not end")


@pytest.mark.parametrize("sort", SORT_KEYS)
def test_sorts_page_without_gaps_or_repeats(client, session, programme, sort: str) -> None:
    items = programme["items"]
    for item in items:
        session.refresh(item)
    key = sort.lstrip("-")
    expected = sorted(items, key=lambda i: (getattr(i, key), i.id), reverse=sort.startswith("-"))
    got = _ids(client, programme["headers"], f"sort={sort}")
    assert got == [i.id for i in expected]
    assert len(set(got)) == len(items)


def test_filters(client, programme) -> None:
    items, h = programme["items"], programme["headers"]

    def ids(query: str) -> set[int]:
        return set(_ids(client, h, query))

    def where(pred) -> set[int]:  # type: ignore[no-untyped-def]
        return {i.id for i in items if pred(i)}

    owner, team = programme["owners"][0], programme["teams"][1]
    assert ids(f"owner_id={owner.id}") == where(lambda i: i.owner_id == owner.id)
    assert ids(f"team_id={team.id}") == where(lambda i: i.team_id == team.id)
    assert ids("phase=implementing&phase=done") == where(
        lambda i: i.phase in (Phase.implementing, Phase.done))
    assert ids(f"owner_id={owner.id}&phase=planned") == where(
        lambda i: i.owner_id == owner.id and i.phase is Phase.planned)
    assert ids(f"moment_id={programme['m1'].id}") == where(lambda i: i.moment_id == programme["m1"].id)
    assert ids(f"investigation_id={programme['inv'].id}") == where(
        lambda i: i.investigation_id == programme["inv"].id)
    # Through the moment: items of m2 (all via the investigation).
    assert ids(f"journey_map_id={programme['map_id']}") == where(
        lambda i: i.moment_id == programme["m2"].id)
    assert ids(f"due_before={TODAY.isoformat()}") == where(lambda i: i.deadline < TODAY)
    assert ids("owner_id=999999") == set()
    assert len(ids("")) == len(items)


def test_overdue_uses_the_injectable_clock(client, app, programme) -> None:
    items, h = programme["items"], programme["headers"]
    app.state.today = lambda: TODAY
    overdue = set(_ids(client, h, "overdue=true"))
    # Deadline passed and not done/cancelled: item 0 is done, item 9 cancelled.
    assert overdue == {i.id for i in items if i.deadline < TODAY} - {items[0].id, items[9].id}
    assert overdue and set(_ids(client, h, "overdue=true&phase=done")) == set()
    assert set(_ids(client, h, "overdue=true&phase=implementing")) == {
        i.id for i in items[1:4] if i.deadline < TODAY}
    app.state.today = lambda: TODAY - timedelta(days=100)
    assert _ids(client, h, "overdue=true") == []


def test_bad_list_parameters_are_named(client, programme) -> None:
    h = programme["headers"]
    for query, field in [("limit=201", "limit"), ("sort=title", "sort"), ("phase=finished", "phase"),
                         ("cursor=nonsense", "cursor"), ("due_before=soon", "due_before"),
                         ("owner_id=abc", "owner_id")]:
        response = client.get(f"/action-items?{query}", headers=h)
        assert response.status_code == 422, query
        assert response.json()["error"]["field"].startswith(field), query


def test_list_needs_a_token(client) -> None:
    assert client.get("/action-items").status_code == 401


def test_list_query_walks_the_composite_indexes(session, database) -> None:
    """Filter + (deadline, id) order is served by an index with no separate sort step.

    On PostgreSQL an empty test table makes a sequential scan cheapest, so scans other than
    index scans are priced out: what is checked is that a suitable index exists and gives the
    order without sorting.
    """
    postgres = database.backend != "sqlite"
    if postgres:
        session.execute(text("SET LOCAL enable_seqscan = off"))
        session.execute(text("SET LOCAL enable_bitmapscan = off"))
    cases = [
        (ActionFilters(owner_id=1, phases=[Phase.planned]), "ix_action_items_owner_phase_deadline"),
        (ActionFilters(team_id=1, phases=[Phase.planned]), "ix_action_items_team_phase_deadline"),
        (ActionFilters(phases=[Phase.implementing]), "ix_action_items_phase_deadline"),
        (ActionFilters(), "ix_action_items_deadline"),
    ]
    for filters, index in cases:
        stmt = list_query(filters, today=TODAY).order_by(ActionItem.deadline, ActionItem.id).limit(51)
        sql = str(stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
        explain = "EXPLAIN" if postgres else "EXPLAIN QUERY PLAN"
        plan = " ".join(str(row[-1]) for row in session.execute(text(f"{explain} {sql}")))
        # PostgreSQL may pick any of the composite indexes for an empty table; SQLite's choice is fixed.
        assert (index in plan) if not postgres else ("Index Scan using ix_action_items_" in plan), (filters, plan)
        assert "TEMP B-TREE" not in plan and "Sort Key" not in plan, (filters, plan)


def test_overdue_list_uses_the_open_items_index(session, database) -> None:
    """Closed items with past deadlines pile up over the years; the overdue page must not walk them."""
    postgres = database.backend != "sqlite"
    if postgres:
        session.execute(text("SET LOCAL enable_seqscan = off"))
        session.execute(text("SET LOCAL enable_bitmapscan = off"))
    stmt = list_query(ActionFilters(overdue=True), today=TODAY).order_by(ActionItem.deadline, ActionItem.id).limit(51)
    sql = str(stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
    if not postgres:
        # Without statistics SQLite prefers another index; INDEXED BY fails outright when the
        # partial index cannot answer the query, so this proves the query matches its predicate.
        sql = sql.replace("FROM action_items", "FROM action_items INDEXED BY ix_action_items_open_deadline", 1)
    explain = "EXPLAIN" if postgres else "EXPLAIN QUERY PLAN"
    plan = " ".join(str(row[-1]) for row in session.execute(text(f"{explain} {sql}")))
    assert "ix_action_items_open_deadline" in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort Key" not in plan, plan


def test_open_phases_sql_names_exactly_the_open_phases() -> None:
    """The partial index's predicate is spelled out in SQL; it must not drift from the enum."""
    import re

    from tracker.actions.models import OPEN_PHASES, OPEN_PHASES_SQL

    assert set(re.findall(r"'(\w+)'", OPEN_PHASES_SQL)) == {p.value for p in OPEN_PHASES}
