"""Team nudge policy, an item's nudges, and snoozing, over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from tests.factories.actions import action_item
from tracker.activity.models import ActivityEntry
from tracker.nudges.models import Nudge, NudgeKind, NudgeSchedule, NudgeState
from tracker.people.models import Role


def test_policy_defaults_then_versioned_updates(client: TestClient, session: Session) -> None:
    lead, headers = factories.user(session, Role.lead)
    team = factories.team(session)
    session.commit()
    url = f"/teams/{team.id}/nudge-policy"
    r = client.get(url, headers=headers)
    assert r.status_code == 200 and r.headers["ETag"] == '"0"'
    assert r.json()["is_default"] and r.json()["days_before_due"] == 2
    r = client.put(url, headers=headers, json={"days_before_due": 4, "workday_start_hour": 8, "version": 0})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["days_before_due"], body["workday_start_hour"], body["max_snoozes"], body["version"],
            body["is_default"]) == (4, 8, 2, 1, False)
    assert client.put(url, headers=headers, json={"max_snoozes": 3, "version": 0}).status_code == 412
    assert client.put(url, headers=headers, json={"max_snoozes": 3}).status_code == 428
    r = client.put(url, headers={**headers, "If-Match": '"1"'}, json={"max_snoozes": 3})
    assert r.status_code == 200 and r.json()["version"] == 2 and r.json()["days_before_due"] == 4
    session.expire_all()
    logged = session.scalars(select(ActivityEntry).where(ActivityEntry.entity_type == "nudge_policy")
                             .order_by(ActivityEntry.id)).all()
    assert [e.action for e in logged] == ["created", "updated"]
    assert logged[1].changes == {"max_snoozes": {"from": 2, "to": 3}}


def test_policy_validation_names_the_field(client: TestClient, session: Session) -> None:
    _, headers = factories.user(session, Role.lead)
    team = factories.team(session)
    session.commit()
    url = f"/teams/{team.id}/nudge-policy"
    for body, field in (({"overdue_every_days": 0}, "overdue_every_days"),
                        ({"workday_end_hour": 25}, "workday_end_hour"),
                        ({"snooze_days": "soon"}, "snooze_days"),
                        ({"workday_start_hour": 18}, "workday_end_hour"),  # not before 17:00
                        ({"bogus": 1}, "bogus")):
        r = client.put(url, headers=headers, json={**body, "version": 0})
        assert r.status_code == 422 and r.json()["error"]["field"] == field, (body, r.text)
    assert client.get("/teams/999999/nudge-policy", headers=headers).status_code == 404
    assert client.put("/teams/999999/nudge-policy", headers=headers, json={"version": 0}).status_code == 404


def test_only_leads_change_the_policy(client: TestClient, session: Session) -> None:
    _, headers = factories.user(session, Role.owner)
    team = factories.team(session)
    session.commit()
    r = client.put(f"/teams/{team.id}/nudge-policy", headers=headers, json={"max_snoozes": 5, "version": 0})
    assert r.status_code == 403


def test_policy_change_makes_the_teams_open_items_due_for_a_fresh_look(client: TestClient, session: Session) -> None:
    _, headers = factories.user(session, Role.lead)
    item = action_item(session)
    row = session.get(NudgeSchedule, item.id)
    assert row is not None and row.next_at is not None and row.next_at > datetime.now(UTC)
    before = datetime.now(UTC)
    r = client.put(f"/teams/{item.team_id}/nudge-policy", headers=headers,
                   json={"days_before_due": 20, "version": 0})
    assert r.status_code == 200
    session.expire_all()
    assert session.get(NudgeSchedule, item.id).next_at <= datetime.now(UTC)  # type: ignore[union-attr]
    assert session.get(NudgeSchedule, item.id).next_at >= before - timedelta(seconds=1)  # type: ignore[union-attr]


def test_snooze_limits_and_who_may(client: TestClient, session: Session) -> None:
    owner, owner_headers = factories.user(session, Role.owner)
    _, other_headers = factories.user(session, Role.owner)
    _, viewer_headers = factories.user(session, Role.viewer)
    _, lead_headers = factories.user(session, Role.lead)
    item = action_item(session, owner=owner)
    url = f"/action-items/{item.id}/snooze"
    assert client.post(url, headers=other_headers).status_code == 403
    assert client.post(url, headers=viewer_headers).status_code == 403
    started = datetime.now(UTC)
    r = client.post(url, headers=owner_headers)
    assert r.status_code == 200, r.text
    body = r.json()
    until = datetime.fromisoformat(body["snoozed_until"])
    assert (body["snoozes"], body["max_snoozes"]) == (1, 2)
    assert timedelta(hours=23) < until - started < timedelta(hours=25)
    assert datetime.fromisoformat(body["next_check_at"]) >= until
    assert client.post(url, headers=lead_headers).json()["snoozes"] == 2
    r = client.post(url, headers=owner_headers)
    assert r.status_code == 409 and r.json()["error"]["field"] == "max_snoozes"
    assert "max_snoozes=2" in r.json()["error"]["message"]
    session.expire_all()
    assert session.get(NudgeSchedule, item.id).snoozes == 2  # type: ignore[union-attr]
    logged = session.scalars(select(ActivityEntry).where(ActivityEntry.action_item_id == item.id,
                                                         ActivityEntry.action == "snoozed")).all()
    assert [e.changes["snoozes"]["to"] for e in logged] == [1, 2]
    assert client.post("/action-items/999999/snooze", headers=owner_headers).status_code == 404


def test_a_new_deadline_gives_the_snoozes_back(client: TestClient, session: Session) -> None:
    owner, owner_headers = factories.user(session, Role.owner)
    _, lead_headers = factories.user(session, Role.lead)
    item = action_item(session, owner=owner)
    client.post(f"/action-items/{item.id}/snooze", headers=owner_headers)
    r = client.patch(f"/action-items/{item.id}", headers=lead_headers,
                     json={"deadline": (item.deadline + timedelta(days=7)).isoformat(), "version": 1})
    assert r.status_code == 200, r.text
    session.expire_all()
    row = session.get(NudgeSchedule, item.id)
    assert row is not None and (row.snoozes, row.snoozed_until) == (0, None)


def test_closing_an_item_clears_its_next_check(client: TestClient, session: Session) -> None:
    owner, headers = factories.user(session, Role.owner)
    _, lead_headers = factories.user(session, Role.lead)
    item = action_item(session, owner=owner)
    r = client.post(f"/action-items/{item.id}/phase", headers=lead_headers,
                    json={"to": "cancelled", "reason": "duplicate", "version": 1})
    assert r.status_code == 200, r.text
    session.expire_all()
    assert session.get(NudgeSchedule, item.id).next_at is None  # type: ignore[union-attr]
    r = client.post(f"/action-items/{item.id}/snooze", headers=headers)
    assert r.status_code == 409 and r.json()["error"]["field"] == "phase"


def test_an_items_nudges_newest_first(client: TestClient, session: Session) -> None:
    _, headers = factories.user(session, Role.viewer)
    item = action_item(session)
    for n, kind in enumerate((NudgeKind.before_due, NudgeKind.due_today, NudgeKind.overdue)):
        session.add(Nudge(action_item_id=item.id, kind=kind, slot=f"2026-11-2{n}", state=NudgeState.sent,
                          recipient_id=item.owner_id))
    session.commit()
    r = client.get(f"/action-items/{item.id}/nudges", headers=headers, params={"limit": 2})
    assert r.status_code == 200
    assert [n["kind"] for n in r.json()["items"]] == ["overdue", "due_today"]
    r = client.get(f"/action-items/{item.id}/nudges", headers=headers,
                   params={"cursor": r.json()["next_cursor"]})
    assert [n["kind"] for n in r.json()["items"]] == ["before_due"] and r.json()["next_cursor"] is None
    assert client.get("/action-items/999999/nudges", headers=headers).status_code == 404


def test_a_lead_nudges_by_hand_once_per_request(client: TestClient, session: Session) -> None:
    from datetime import date

    from tracker.actions.models import Phase
    from tracker.outbox.models import OutboxMessage

    _, lead_h = factories.user(session, Role.lead)
    owner, owner_h = factories.user(session, Role.owner)
    item = action_item(session, owner=owner, deadline=date.today() - timedelta(days=3))
    session.commit()
    url = f"/action-items/{item.id}/nudges"
    assert client.post(url, headers=owner_h).status_code == 403
    first = client.post(url, headers=lead_h)
    assert first.status_code == 202, first.text
    assert first.json()["kind"] == "overdue" and first.json()["state"] == "pending"
    assert client.post(url, headers=lead_h).status_code == 202  # a second chase is a second nudge
    session.expire_all()
    nudges = session.scalars(select(Nudge).where(Nudge.action_item_id == item.id)).all()
    assert len(nudges) == 2 and all(n.recipient_id == owner.id for n in nudges)
    messages = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "slack.nudge")).all()
    assert sorted(m.payload["nudge_id"] for m in messages) == sorted(n.id for n in nudges)
    item.phase = Phase.cancelled
    session.commit()
    closed = client.post(url, headers=lead_h)
    assert closed.status_code == 409 and closed.json()["error"]["field"] == "phase"
