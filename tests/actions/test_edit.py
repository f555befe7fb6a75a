"""Who may change an item and its parts, optimistic versions, and the activity each change leaves."""

from __future__ import annotations

import pytest

from tests import factories
from tests.factories import actions as af
from tracker.actions.hooks import ActionItemChange, add_listener, remove_listener
from tracker.people.models import Role


@pytest.fixture
def cast(client, session):  # type: ignore[no-untyped-def]
    """An item owned by `owner`; `other` owns something else; plus a lead and a viewer."""
    owner, owner_h = factories.user(session, Role.owner)
    _, other_h = factories.user(session, Role.owner)
    lead, lead_h = factories.user(session, Role.lead)
    _, viewer_h = factories.user(session, Role.viewer)
    m = af.moment(session)
    af.friction(session, moment_id=m.id, customers=[("Acme", "ap@acme.example")])
    item = af.action_item(session, owner=owner, moment_id=m.id)
    return {"item": item, "owner": owner_h, "other": other_h, "lead": lead_h, "viewer": viewer_h,
            "owner_person": owner, "lead_person": lead, "url": f"/action-items/{item.id}"}


def _entry_id(client, cast) -> int:  # type: ignore[no-untyped-def]
    return client.get(f"{cast['url']}/checklist", headers=cast["lead"]).json()["items"][0]["id"]


WRITES = [
    ("patch", "", {"title": "New title", "version": 1}),
    ("post", "/phase", {"to": "implementing", "version": 1}),
    ("put", "/work-plan", {"text": "Plan", "version": 1}),
    ("post", "/updates", {"note": "Started"}),
    ("patch", "/training", {"needed": True, "version": 1}),
]
CHECKLIST_WRITES = [
    ("post", "/checklist", {"customer_name": "Jo", "contact": "jo@example.com"}),
    ("patch", "/checklist/{entry}", {"status": "notified", "version": 1}),
]


@pytest.mark.parametrize(("method", "suffix", "body"), WRITES, ids=[w[0] + w[1] for w in WRITES])
def test_owner_and_lead_may_write_others_may_not(client, cast, method: str, suffix: str,
                                                  body: dict) -> None:
    path = cast["url"] + suffix.replace("{entry}", str(_entry_id(client, cast)))
    for who in ("viewer", "other"):
        response = client.request(method, path, headers=cast[who], json=body)
        assert response.status_code == 403, (who, response.text)
    response = client.request(method, path, headers=cast["owner"], json=body)
    assert response.status_code in (200, 201), response.text


@pytest.mark.parametrize(("method", "suffix", "body"), CHECKLIST_WRITES,
                         ids=[w[0] + w[1] for w in CHECKLIST_WRITES])
def test_support_staff_work_any_checklist_viewers_do_not(client, cast, method: str, suffix: str,
                                                         body: dict) -> None:
    path = cast["url"] + suffix.replace("{entry}", str(_entry_id(client, cast)))
    assert client.request(method, path, headers=cast["viewer"], json=body).status_code == 403
    # "other" is an owner-role person who does not own the item: a support agent closing the loop.
    response = client.request(method, path, headers=cast["other"], json=body)
    assert response.status_code in (200, 201), response.text


def test_lead_may_write_any_item(client, cast) -> None:
    ok = client.patch(cast["url"], headers=cast["lead"], json={"title": "Lead edit", "version": 1})
    assert ok.status_code == 200 and ok.json()["title"] == "Lead edit"


def test_owner_cannot_reassign_or_move_deadline(client, cast, session) -> None:
    for field, value in [("deadline", "2032-01-01"), ("owner_id", cast["lead_person"].id),
                         ("priority", "urgent"), ("team_id", factories.team(session).id)]:
        session.commit()
        response = client.patch(cast["url"], headers=cast["owner"], json={field: value, "version": 1})
        assert response.status_code == 403 and response.json()["error"]["field"] == field


def test_lead_reassigns_owner_resets_assigned_at(client, cast, session) -> None:
    new_owner = factories.person(session, Role.owner)
    session.commit()
    before = client.get(cast["url"], headers=cast["lead"]).json()
    moved = client.patch(cast["url"], headers=cast["lead"],
                         json={"owner_id": new_owner.id, "deadline": "2032-01-31", "version": 1})
    assert moved.status_code == 200, moved.text
    after = moved.json()
    assert after["owner_id"] == new_owner.id and after["deadline"] == "2032-01-31"
    assert after["assigned_at"] > before["assigned_at"]
    # The previous owner lost the right to edit.
    lost = client.patch(cast["url"], headers=cast["owner"], json={"title": "x", "version": 2})
    assert lost.status_code == 403
    bad = client.patch(cast["url"], headers=cast["lead"], json={"owner_id": 999_999, "version": 2})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "owner_id"
    too_big = client.patch(cast["url"], headers=cast["lead"], json={"team_id": 2**40, "version": 2})
    assert too_big.status_code == 422 and too_big.json()["error"]["field"] == "team_id"
    null = client.patch(cast["url"], headers=cast["lead"], json={"title": None, "version": 2})
    assert null.status_code == 422 and null.json()["error"]["field"] == "title"


def test_versions_on_item_training_and_checklist(client, cast) -> None:
    url, h = cast["url"], cast["owner"]
    entry = f"{url}/checklist/{_entry_id(client, cast)}"
    for path, method, body in [(url, "patch", {"title": "t"}), (f"{url}/training", "patch", {"notes": "n"}),
                               (entry, "patch", {"note": "n"}), (f"{url}/work-plan", "put", {"text": "p"}),
                               (f"{url}/waivers", "post", {"what": "training", "reason": "r"})]:
        headers = cast["lead"] if path.endswith("waivers") else h
        assert client.request(method, path, headers=headers, json=body).status_code == 428, path
        stale = client.request(method, path, headers=headers, json={**body, "version": 99})
        assert stale.status_code == 412, path
        assert stale.json()["error"]["details"]["current_version"] >= 1
    got = client.get(f"{url}/training", headers=h)
    assert got.headers["ETag"] == '"1"'
    ok = client.patch(f"{url}/training", headers={**h, "If-Match": got.headers["ETag"]},
                      json={"sessions_held": 2, "people_trained": 10, "target_count": 12})
    assert ok.status_code == 200 and ok.json()["version"] == 2
    negative = client.patch(f"{url}/training", headers=h, json={"sessions_held": -1, "version": 2})
    assert negative.status_code == 422 and negative.json()["error"]["field"] == "sessions_held"


def test_checklist_stamps_and_hand_added_entries(client, cast) -> None:
    url, h = cast["url"], cast["owner"]
    added = client.post(f"{url}/checklist", headers=h, json={
        "customer_name": "Jo Bloggs", "contact": "+44 7700 900123", "message": "Fixed!"})
    assert added.status_code == 201
    assert added.json()["channel"] == "phone" and added.json()["affected_customer_id"] is None
    entry_url = f"{url}/checklist/{added.json()['id']}"
    told = client.patch(entry_url, headers=h, json={"status": "acknowledged", "version": 1}).json()
    assert told["notified_at"] and told["notified_by_id"] == cast["owner_person"].id
    back = client.patch(entry_url, headers=h, json={"status": "pending", "version": 2}).json()
    assert back["notified_at"] is None and back["notified_by_id"] is None
    pending = client.get(f"{url}/checklist?status=pending", headers=h).json()["items"]
    assert len(pending) == 2
    assert client.patch(f"{url}/checklist/999999", headers=h,
                        json={"note": "x", "version": 1}).status_code == 404
    empty = client.post(f"{url}/checklist", headers=h, json={"customer_name": "X", "contact": " "})
    assert empty.status_code == 422 and empty.json()["error"]["field"] == "contact"


def test_work_plan_and_progress(client, cast) -> None:
    url, h = cast["url"], cast["owner"]
    plan = client.put(f"{url}/work-plan", headers=h, json={"text": "Redesign the PDF", "version": 1})
    assert plan.status_code == 200 and plan.json()["work_plan_submitted_at"]
    for note in ("Mockups done", "Shipped behind a flag"):
        assert client.post(f"{url}/updates", headers=h, json={"note": note}).status_code == 201
    notes = [u["note"] for u in client.get(f"{url}/updates", headers=cast["viewer"]).json()["items"]]
    assert notes == ["Shipped behind a flag", "Mockups done"]
    blank = client.post(f"{url}/updates", headers=h, json={"note": "   "})
    assert blank.status_code == 422 and blank.json()["error"]["field"] == "note"


def test_unknown_item_is_404_everywhere(client, cast) -> None:
    h = cast["lead"]
    for method, suffix, body in [("get", "", None), ("get", "/training", None),
                                 ("get", "/checklist", None), ("get", "/updates", None),
                                 ("get", "/activity", None), *WRITES]:
        response = client.request(method, f"/action-items/999999{suffix}".replace("{entry}", "1"),
                                  headers=h, json=body)
        assert response.status_code == 404, (suffix, response.text)


def test_every_change_is_in_the_items_activity(client, cast) -> None:
    url, h = cast["url"], cast["owner"]
    seen: list[ActionItemChange] = []

    def listener(_session, change: ActionItemChange) -> None:  # type: ignore[no-untyped-def]
        seen.append(change)

    add_listener(listener)
    try:
        client.patch(url, headers=h, json={"title": "Renamed", "version": 1})
        client.post(f"{url}/phase", headers=h, json={"to": "implementing", "version": 2})
        client.post(f"{url}/updates", headers=h, json={"note": "Going well"})
        client.patch(f"{url}/training", headers=h, json={"needed": True, "version": 1})
        client.patch(f"{url}/checklist/{_entry_id(client, cast)}", headers=h,
                     json={"status": "notified", "version": 1})
    finally:
        remove_listener(listener)
    activity = client.get(f"{url}/activity", headers=cast["viewer"]).json()["items"]
    actions = [a["action"] for a in activity]
    assert actions == ["checklist_entry_updated", "training_updated", "progress_posted",
                       "phase_changed", "updated", "created"]
    assert [c.action for c in seen] == actions[:-1][::-1]
    renamed = activity[4]
    assert renamed["changes"]["title"]["to"] == "Renamed"
    assert renamed["actor_id"] == cast["owner_person"].id
    assert all(a["action_item_id"] == cast["item"].id for a in activity)
    assert all(a["moment_id"] == cast["item"].moment_id for a in activity)
    assert activity[3]["changes"]["phase"] == {"from": "planned", "to": "implementing"}
    page = client.get(f"{url}/activity?limit=4", headers=h).json()
    rest = client.get(f"{url}/activity?limit=4&cursor={page['next_cursor']}", headers=h).json()
    assert [a["id"] for a in page["items"] + rest["items"]] == [a["id"] for a in activity]
