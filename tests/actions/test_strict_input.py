"""Ids, booleans and dates are taken as they are typed, never coerced: `true` is not person 1 and
`0` is not 1970-01-01. Deadlines outside a sane range are refused naming the field."""

from __future__ import annotations

import pytest

from tests import factories
from tests.factories import actions as af
from tracker.people.models import Role


@pytest.fixture
def world(client, session):  # type: ignore[no-untyped-def]
    _, lead = factories.user(session, Role.lead)
    owner = factories.person(session, Role.owner)
    team = factories.team(session)
    moment = af.moment(session)
    session.commit()
    body = {"title": "Put the amount due first", "team_id": team.id, "owner_id": owner.id,
            "deadline": "2031-03-31"}
    return lead, body, moment


@pytest.mark.parametrize(("field", "value"), [
    ("owner_id", True), ("team_id", False), ("owner_id", 1.0),
    ("deadline", 0), ("deadline", 1_900_000_000), ("deadline", True), ("deadline", "1900000000"),
    ("deadline", "2031-03-31T00:00:00"),
    ("deadline", "0001-01-01"), ("deadline", "9999-12-31"), ("deadline", "0269-05-04"),
    ("deadline", "1999-12-31"), ("deadline", "2101-01-01"),
    ("training_needed", 1), ("training_needed", "yes"), ("training_needed", "true"),
])
def test_action_item_fields_are_strict(client, world, field: str, value: object) -> None:
    lead, body, _ = world
    response = client.post("/action-items", headers=lead, json={**body, field: value})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field


def test_the_edges_of_the_range_are_accepted(client, world) -> None:
    lead, body, _ = world
    for deadline in ("2000-01-01", "2100-12-31"):
        response = client.post("/action-items", headers=lead, json={**body, "deadline": deadline})
        assert response.status_code == 201, response.text


@pytest.mark.parametrize("value", [0, True, "0001-01-01", "9999-12-31"])
def test_investigation_due_date_is_strict(client, world, value: object) -> None:
    lead, _, moment = world
    response = client.post("/investigations", headers=lead, json={
        "moment_id": moment.id, "title": "Why?", "due_date": value})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == "due_date"


def test_person_active_is_a_real_boolean(client, session) -> None:
    target = factories.person(session, Role.owner)
    _, admin = factories.user(session, Role.admin)
    response = client.patch(f"/people/{target.id}", headers=admin, json={"active": 0, "version": 1})
    assert response.status_code == 422 and response.json()["error"]["field"] == "active"
