from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from tests import factories
from tests.factories import moments as mf
from tracker.actions.models import ActionItem, ChecklistEntry
from tracker.activity.models import ActivityEntry
from tracker.friction.models import FrictionPoint
from tracker.investigations.models import Investigation
from tracker.moments.models import MomentOfTruth
from tracker.people.models import Role

DEADLINE = (date.today() + timedelta(days=30)).isoformat()


def _item(team_id: int, owner_id: int, **fields):
    return {"title": "Fix the VAT line", "team_id": team_id, "owner_id": owner_id,
            "deadline": DEADLINE, "priority": "high", **fields}


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_promoting_an_ungrouped_friction_point_creates_its_moment(client, session) -> None:
    lead, headers = factories.user(session, Role.lead)
    fp = mf.friction(session, title="VAT shown twice", description="Seen in 41 tickets")
    session.commit()
    response = client.post("/promote", headers=headers, json={
        "source": {"friction_point_id": fp.id}, "investigation": {"hypotheses": ["Template"]}})
    assert response.status_code == 201, response.text
    out = response.json()
    assert out["moment_created"] is True and out["action_item_ids"] == []
    assert out["friction_point_id"] == fp.id
    session.expire_all()
    moment = session.get(MomentOfTruth, out["moment_id"])
    assert moment.title == "VAT shown twice" and moment.journey_map_id == fp.journey_map_id
    assert moment.effort == 3 and moment.score == 21.6  # default factors
    assert session.get(FrictionPoint, fp.id).moment_id == moment.id
    inv = session.get(Investigation, out["investigation_id"])
    assert inv.friction_point_id == fp.id and inv.moment_id == moment.id
    assert inv.title == "Root cause: VAT shown twice" and inv.owner_id == lead.id
    assert inv.hypotheses == ["Template"]
    actions = session.scalars(select(ActivityEntry.action).where(
        ActivityEntry.moment_id == moment.id).order_by(ActivityEntry.id)).all()
    assert actions == ["created", "grouped", "created", "promoted"]


def test_promoting_a_grouped_friction_point_reuses_its_moment(client, session) -> None:
    _, headers = factories.user(session, Role.lead)
    m = mf.moment(session)
    fp = mf.friction(session, moment_id=m.id)
    session.commit()
    out = client.post("/promote", headers=headers,
                      json={"source": {"friction_point_id": fp.id}}).json()
    assert out["moment_id"] == m.id and out["moment_created"] is False
    assert _count(session, MomentOfTruth) == 1


def test_promoting_a_moment_with_action_items_seeds_their_checklists(client, session) -> None:
    _, headers = factories.user(session, Role.lead)
    owner = factories.person(session, Role.owner)
    investigator = factories.person(session, Role.owner)
    team = factories.team(session)
    m = mf.moment(session)
    mf.friction(session, moment_id=m.id, customers=2)
    mf.friction(session, moment_id=m.id, customers=1)
    session.commit()
    response = client.post("/promote", headers=headers, json={
        "source": {"moment_id": m.id},
        "investigation": {"title": "Why invoices confuse", "owner_id": investigator.id,
                          "due_date": "2030-01-15"},
        "action_items": [_item(team.id, owner.id),
                         _item(team.id, owner.id, title="Train billing support",
                               training_needed=True)],
    })
    assert response.status_code == 201, response.text
    out = response.json()
    assert out["moment_id"] == m.id and out["moment_created"] is False
    assert out["friction_point_id"] is None and len(out["action_item_ids"]) == 2
    session.expire_all()
    for item_id in out["action_item_ids"]:
        item = session.get(ActionItem, item_id)
        assert item.moment_id == m.id and item.investigation_id == out["investigation_id"]
        assert item.phase == "planned"
        seeded = session.scalar(select(func.count()).where(ChecklistEntry.action_item_id == item_id))
        assert seeded == 3
    inv = session.get(Investigation, out["investigation_id"])
    assert inv.owner_id == investigator.id and inv.friction_point_id is None
    assert client.get(f"/moments/{m.id}", headers=headers).json()["status"] == "actions_planned"


def test_an_invalid_nested_item_creates_nothing(client, session) -> None:
    _, headers = factories.user(session, Role.lead)
    owner = factories.person(session, Role.owner)
    viewer = factories.person(session, Role.viewer)
    team = factories.team(session)
    fp = mf.friction(session, customers=1)
    session.commit()
    before = {model: _count(session, model)
              for model in (MomentOfTruth, Investigation, ActionItem, ChecklistEntry, ActivityEntry)}

    def promote(**body):
        return client.post("/promote", headers=headers,
                           json={"source": {"friction_point_id": fp.id}, **body})

    cases = [
        ({"action_items": [_item(team.id, owner.id), _item(team.id, 999999)]},
         "action_items.1.owner_id"),
        ({"action_items": [_item(team.id, owner.id), _item(team.id, viewer.id)]},
         "action_items.1.owner_id"),
        ({"action_items": [_item(999999, owner.id)]}, "action_items.0.team_id"),
        ({"action_items": [_item(team.id, owner.id, priority="asap")]},
         "action_items.0.priority"),
        ({"action_items": [_item(team.id, owner.id, title=" ")]}, "action_items.0.title"),
        ({"action_items": [{"title": "no owner", "team_id": team.id, "deadline": DEADLINE}]},
         "action_items.0.owner_id"),
        ({"investigation": {"owner_id": 999999}}, "investigation.owner_id"),
        ({"investigation": {"hypotheses": [""]}}, "investigation.hypotheses.0"),
    ]
    for body, field in cases:
        response = promote(**body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"]["field"] == field, response.text
    after = {model: _count(session, model) for model in before}
    assert after == before
    session.expire_all()
    assert session.get(FrictionPoint, fp.id).moment_id is None


def test_source_must_be_exactly_one_existing_thing(client, session) -> None:
    _, headers = factories.user(session, Role.lead)
    m = mf.moment(session)
    fp = mf.friction(session)
    session.commit()
    both = client.post("/promote", headers=headers,
                       json={"source": {"friction_point_id": fp.id, "moment_id": m.id}})
    assert both.status_code == 422 and both.json()["error"]["field"] == "source"
    neither = client.post("/promote", headers=headers, json={"source": {}})
    assert neither.status_code == 422 and neither.json()["error"]["field"] == "source"
    gone_fp = client.post("/promote", headers=headers, json={"source": {"friction_point_id": 999999}})
    assert gone_fp.status_code == 422
    assert gone_fp.json()["error"]["field"] == "source.friction_point_id"
    gone_m = client.post("/promote", headers=headers, json={"source": {"moment_id": 999999}})
    assert gone_m.status_code == 422 and gone_m.json()["error"]["field"] == "source.moment_id"


def test_only_leads_promote(client, session) -> None:
    _, owner = factories.user(session, Role.owner)
    _, viewer = factories.user(session, Role.viewer)
    m = mf.moment(session)
    session.commit()
    for headers in (owner, viewer):
        response = client.post("/promote", headers=headers, json={"source": {"moment_id": m.id}})
        assert response.status_code == 403
    assert _count(session, Investigation) == 0


def test_service_rolls_back_its_savepoint_when_a_late_step_fails(session, monkeypatch) -> None:
    """Even inside a caller's ongoing transaction (an import, the CLI), promote is all or nothing."""
    from tracker.errors import InvalidInput
    from tracker.promote import service

    lead = factories.person(session, Role.lead)
    owner = factories.person(session, Role.owner)
    team = factories.team(session)
    fp = mf.friction(session)
    real = service.create_action_item
    calls = []

    def fails_second_time(session_, *, actor, data):  # type: ignore[no-untyped-def]
        calls.append(data)
        if len(calls) == 2:
            raise InvalidInput("deadline is on a company holiday", field="deadline")
        return real(session_, actor=actor, data=data)

    monkeypatch.setattr(service, "create_action_item", fails_second_time)
    data = {"source": {"friction_point_id": fp.id}, "investigation": {},
            "action_items": [_item(team.id, owner.id, deadline=date.today() + timedelta(days=9))] * 2}
    try:
        service.promote(session, actor=lead, data=data)
    except InvalidInput as exc:
        assert exc.field == "action_items.1.deadline"
    else:
        raise AssertionError("promote should have failed")
    assert _count(session, MomentOfTruth) == _count(session, Investigation) == 0
    assert _count(session, ActionItem) == 0
    assert session.get(FrictionPoint, fp.id).moment_id is None
