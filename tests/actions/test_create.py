"""Creating action items: validation naming fields, links up the chain, training, checklist seeding."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests import factories
from tests.factories import actions as af
from tracker.actions import service
from tracker.actions.checklist import guess_channel
from tracker.actions.models import ChecklistEntry, ContactChannel, Phase
from tracker.errors import Forbidden, InvalidInput
from tracker.people.models import Role


def _body(owner_id: int, team_id: int, **extra: object) -> dict[str, object]:
    return {"title": "Put the amount due first", "team_id": team_id, "owner_id": owner_id,
            "deadline": "2031-03-31", "priority": "high", **extra}


def test_lead_creates_item_with_training_and_links(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    owner = factories.person(session, Role.owner)
    team = factories.team(session)
    m = af.moment(session)
    inv = af.investigation(session, moment_id=m.id)
    session.commit()
    created = client.post("/action-items", headers=lead, json=_body(
        owner.id, team.id, investigation_id=inv.id, training_needed=True,
        training_audience="Billing agents", training_target=12))
    assert created.status_code == 201, created.text
    item = created.json()
    assert item["phase"] == "planned" and item["moment_id"] == m.id  # taken from the investigation
    assert created.headers["ETag"] == '"1"'
    detail = client.get(f"/action-items/{item['id']}", headers=lead).json()
    assert detail["training"] == {"needed": True, "waived": False, "complete": False,
                                  "sessions_held": 0, "people_trained": 0, "target_count": 12}
    assert detail["moment"]["id"] == m.id and detail["investigation"]["id"] == inv.id
    assert detail["allowed_next"] == ["implementing", "blocked", "cancelled"]
    training = client.get(f"/action-items/{item['id']}/training", headers=lead).json()
    assert training["audience"] == "Billing agents"


@pytest.mark.parametrize("role", [Role.owner, Role.viewer])
def test_only_leads_create(client, session, role: Role) -> None:
    _, headers = factories.user(session, role)
    owner = factories.person(session, Role.owner)
    team = factories.team(session)
    session.commit()
    assert client.post("/action-items", headers=headers, json=_body(owner.id, team.id)).status_code == 403


def test_unknown_references_are_named(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    owner = factories.person(session, Role.owner)
    viewer = factories.person(session, Role.viewer)
    gone = factories.person(session, Role.owner, active=False)
    team = factories.team(session)
    m1, m2 = af.moment(session), af.moment(session)
    inv = af.investigation(session, moment_id=m1.id)
    session.commit()
    cases = [
        (_body(owner.id, 999_999), "team_id"),
        (_body(999_999, team.id), "owner_id"),
        (_body(viewer.id, team.id), "owner_id"),
        (_body(gone.id, team.id), "owner_id"),
        (_body(owner.id, team.id, moment_id=999_999), "moment_id"),
        (_body(owner.id, team.id, investigation_id=999_999), "investigation_id"),
        (_body(owner.id, team.id, moment_id=m2.id, investigation_id=inv.id), "investigation_id"),
        (_body(owner.id, team.id, deadline="31/03/2031"), "deadline"),
        (_body(owner.id, team.id, priority="whenever"), "priority"),
        (_body(owner.id, team.id, title="   "), "title"),
        (_body(owner.id, team.id, training_target=-1), "training_target"),
        (_body(owner.id, team.id, title="bad\u0000title"), "title"),
    ]
    for body, field in cases:
        response = client.post("/action-items", headers=lead, json=body)
        assert response.status_code == 422, (field, response.text)
        assert response.json()["error"]["field"] == field
    assert session.scalar(select(ChecklistEntry.id)) is None  # nothing half-written


def test_checklist_seeded_from_moment_and_investigation_friction(session) -> None:
    m = af.moment(session)
    other = af.moment(session)
    af.friction(session, moment_id=m.id, customers=[
        ("Acme GmbH", "ap@acme.example"), ("Bolt Ltd", "+44 20 7946 0018")])
    shared = af.friction(session, moment_id=m.id, customers=[
        ("Acme again", " AP@acme.example "),  # same customer recorded twice: told once
        ("Corner Shop", "ask for Jo at the till")])
    promoted_from = af.friction(session, moment_id=None, customers=[("Delta Co", "+1 (555) 010-9999")])
    af.friction(session, moment_id=other.id, customers=[("Elsewhere", "x@elsewhere.example")])
    inv = af.investigation(session, moment_id=m.id, friction_point_id=promoted_from.id)
    item = af.action_item(session, investigation_id=inv.id)

    entries = service.list_checklist_entries(session, item_id=item.id)
    got = [(e.customer_name, e.channel, e.status.value) for e in entries]
    assert got == [
        ("Acme GmbH", ContactChannel.email, "pending"),
        ("Bolt Ltd", ContactChannel.phone, "pending"),
        ("Corner Shop", ContactChannel.other, "pending"),
        ("Delta Co", ContactChannel.phone, "pending"),
    ]
    assert all(e.affected_customer_id is not None for e in entries)
    assert shared.affected_customers  # (the duplicate stayed on its friction point)


def test_item_without_moment_has_empty_checklist(session) -> None:
    item = af.action_item(session)
    assert session.scalar(select(ChecklistEntry.id).where(ChecklistEntry.action_item_id == item.id)) is None
    assert item.phase is Phase.planned and item.moment_id is None


@pytest.mark.parametrize(("contact", "channel"), [
    ("jo@example.com", ContactChannel.email),
    ("+49 30 1234567", ContactChannel.phone),
    ("(555) 010-9999", ContactChannel.phone),
    ("12", ContactChannel.other),
    ("@jo on Twitter", ContactChannel.other),
    ("", ContactChannel.other),
])
def test_guess_channel(contact: str, channel: ContactChannel) -> None:
    assert guess_channel(contact) is channel


def test_service_refuses_non_leads_and_bad_data(session) -> None:
    owner = factories.person(session, Role.owner)
    team = factories.team(session)
    data = {"title": "x", "team_id": team.id, "owner_id": owner.id, "deadline": date(2031, 1, 1),
            "priority": "low"}
    with pytest.raises(Forbidden):
        service.create_action_item(session, actor=owner, data=data)
    lead = factories.person(session, Role.lead)
    with pytest.raises(InvalidInput) as err:
        service.create_action_item(session, actor=lead, data={**data, "team_id": "1"})
    assert err.value.field == "team_id"
    # The system (actor=None, e.g. an import) may create.
    assert service.create_action_item(session, actor=None, data=data).id
