"""One moment of truth from workshop to closed loop, through HTTP only.

The only writes that bypass the API are the people and their tokens (factories): everything
else a lead, an investigation owner, an action-item owner and a support agent do by request.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests import factories
from tracker.people.models import Role

H = dict[str, str]


def _ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, (r.status_code, r.text)
    return r.json()


def _etag(client: TestClient, url: str, who: H) -> H:
    """The caller's headers plus If-Match with the current version of `url`."""
    r = client.get(url, headers=who)
    _ok(r)
    return {**who, "If-Match": r.headers["ETag"]}


def _all(client: TestClient, url: str, who: H) -> list[dict[str, Any]]:
    """Every item of a cursor-paginated list."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 50} | ({"cursor": cursor} if cursor else {})
        page = _ok(client.get(url, params=params, headers=who))
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


def _record_workshop(client: TestClient, lead: H) -> dict[str, Any]:
    """The lead's map, two friction points with evidence and three customers, and a moment."""
    jmap = _ok(client.post("/journey-maps", headers=lead, json={
        "name": "Getting help with a broken invoice", "kind": "customer",
        "persona": "Small-business owner paying monthly",
        "scope_start": "The invoice arrives", "scope_end": "The customer trusts the corrected invoice",
        "objectives": ["Find where invoice confusion starts"],
        "success_metrics": ["Invoice contacts per 1,000 invoices"],
        "stages": [
            {"name": "Notice the problem", "steps": [
                {"name": "Opens the invoice PDF", "channel": "web", "emotion_score": -2,
                 "doing": "Downloads the invoice", "thinking": "Why is the total higher?",
                 "feeling": "Confused", "duration_minutes": 5}]},
            {"name": "Contact support", "steps": [
                {"name": "Calls the support line", "channel": "phone", "emotion_score": -4,
                 "doing": "Waits on hold", "thinking": "This should not take so long",
                 "feeling": "Annoyed", "people_met": ["Support agent"], "duration_minutes": 25}]},
        ],
    }), 201)
    open_pdf, call = (stage["steps"][0]["id"] for stage in jmap["stages"])
    assert jmap["emotion_curve"]["lowest"]["step_id"] == call  # where the journey hurts most

    vat = _ok(client.post("/friction-points", headers=lead, json={
        "step_id": open_pdf, "title": "VAT shown twice on the invoice", "upstream_cause": "billing",
        "evidence": [{"source": "support_tickets", "note": "41 tickets in May"},
                     {"source": "workshop", "note": "Three of five participants stumbled here"}],
        "affected_customers": [
            {"name": "Dana Ruiz", "contact": "dana@ruizbakery.example", "segment": "SMB"},
            {"name": "Lee Park", "contact": "lee@parkdesign.example", "segment": "SMB"}],
    }), 201)
    hold = _ok(client.post("/friction-points", headers=lead, json={
        "step_id": call, "title": "25 minutes on hold for a billing question",
        "evidence": [{"source": "interview", "note": "Called twice before anyone could explain"}],
        "affected_customers": [{"name": "Ana Costa", "contact": "ana@costa.example"}],
    }), 201)
    assert len(vat["evidence"]) == 2 and len(vat["affected_customers"]) == 2

    moment = _ok(client.post("/moments", headers=lead, json={
        "title": "The first wrong invoice", "journey_map_id": jmap["id"],
        "description": "New customers doubt us the first time an invoice looks wrong.",
        "factors": {"reach": 4, "severity": 5, "emotional_weight": 4, "business_impact": 4,
                    "effort": 2, "confidence": 4},
        "friction_point_ids": [vat["id"], hold["id"]],
    }), 201)
    assert moment["status"] == "open" and moment["score"] > 0
    return {"map": jmap, "vat": vat, "hold": hold, "moment": moment}


def _done_refused(client: TestClient, url: str, who: H, missing: list[str]) -> None:
    r = client.post(f"{url}/phase", json={"to": "done"}, headers=_etag(client, url, who))
    assert r.status_code == 409, r.text
    error = r.json()["error"]
    assert error["details"]["missing"] == missing
    for what in missing:
        assert what in error["message"]


def test_moment_of_truth_to_closed_loop(client: TestClient, session: Session) -> None:
    lead_p, lead = factories.user(session, Role.lead, name="Lena Lead")
    inv_p, inv_owner = factories.user(session, Role.owner, name="Ivan Investigator")
    owner_p, owner = factories.user(session, Role.owner, name="Olga Owner")
    support_p, support = factories.user(session, Role.owner, name="Sam Support")  # a support agent
    _, viewer = factories.user(session, Role.viewer)
    team = _ok(client.post("/teams", headers=lead, json={
        "name": "Billing", "department": "billing", "lead_id": lead_p.id}), 201)

    w = _record_workshop(client, lead)
    moment_id, vat_id = w["moment"]["id"], w["vat"]["id"]

    promoted = _ok(client.post("/promote", headers=lead, json={
        "source": {"moment_id": moment_id},
        "investigation": {"title": "Why is VAT shown twice?", "owner_id": inv_p.id,
                          "hypotheses": ["The PDF template adds VAT to a gross total"]},
        "action_items": [{"title": "Fix the VAT line in the invoice template",
                          "team_id": team["id"], "owner_id": owner_p.id, "priority": "high",
                          "deadline": str(date.today() + timedelta(days=30)),
                          "training_needed": True}],
    }), 201)
    inv_url = f"/investigations/{promoted['investigation_id']}"
    (item_id,) = promoted["action_item_ids"]
    item_url = f"/action-items/{item_id}"
    moment_url = f"/moments/{moment_id}"
    assert _ok(client.get(moment_url, headers=viewer))["status"] == "actions_planned"

    # The investigation owner works the investigation and concludes it.
    _ok(client.patch(inv_url, headers=_etag(client, inv_url, inv_owner), json={
        "status": "in_progress", "findings": "The template sums VAT into the gross line."}))
    inv = _ok(client.patch(inv_url, headers=_etag(client, inv_url, inv_owner), json={
        "status": "concluded", "root_cause": "The PDF template adds VAT to a gross total",
        "root_cause_category": "tool", "root_cause_area": "billing"}))
    assert inv["status"] == "concluded"

    # The item owner plans, reports progress and moves the item along.
    _ok(client.put(f"{item_url}/work-plan", headers=_etag(client, item_url, owner), json={
        "text": "1. Fix the template. 2. Re-issue May invoices. 3. Brief tier-1 agents."}))
    _ok(client.post(f"{item_url}/updates", headers=owner,
                    json={"note": "Template fix is in review."}), 201)
    for phase in ("implementing", "training"):
        moved = _ok(client.post(f"{item_url}/phase", json={"to": phase},
                                headers=_etag(client, item_url, owner)))
        assert moved["phase"] == phase
    assert _ok(client.get(moment_url, headers=viewer))["status"] == "in_progress"
    training_url = f"{item_url}/training"
    _ok(client.patch(training_url, headers=_etag(client, training_url, owner), json={
        "needed": True, "audience": "Tier-1 billing agents", "target_count": 12,
        "sessions_held": 1, "people_trained": 5}))
    _ok(client.post(f"{item_url}/phase", json={"to": "closing_loop"},
                    headers=_etag(client, item_url, owner)))

    # Done is gated: first training and the checklist are missing, then only the checklist.
    _done_refused(client, item_url, owner, ["training", "checklist"])
    _ok(client.patch(training_url, headers=_etag(client, training_url, owner), json={
        "sessions_held": 2, "people_trained": 12, "notes": "Second session on Thursday"}))
    _done_refused(client, item_url, owner, ["checklist"])

    # Every affected customer is on the checklist; support and the owner tell each of them.
    entries = _all(client, f"{item_url}/checklist", viewer)
    assert sorted(e["customer_name"] for e in entries) == ["Ana Costa", "Dana Ruiz", "Lee Park"]
    for entry, who, who_p in zip(entries, (support, owner, owner), (support_p, owner_p, owner_p),
                                 strict=True):
        entry_url = f"{item_url}/checklist/{entry['id']}"
        told = _ok(client.patch(entry_url, headers={**who, "If-Match": f'"{entry["version"]}"'},
                                json={"status": "notified", "channel": "email",
                                      "note": "Sent the fixed invoice and an apology."}))
        assert told["notified_by_id"] == who_p.id
    done = _ok(client.post(f"{item_url}/phase", json={"to": "done"},
                           headers=_etag(client, item_url, owner)))
    assert done["phase"] == "done"

    assert _ok(client.get(moment_url, headers=viewer))["status"] == "loop_closed"
    _check_chain(client, viewer, vat_id=vat_id, hold_id=w["hold"]["id"], moment_id=moment_id,
                 map_id=w["map"]["id"], item_id=item_id, root_cause=inv["root_cause"])
    _check_activity(client, viewer, moment_id=moment_id, item_id=item_id,
                    people={"lead": lead_p, "inv_owner": inv_p, "owner": owner_p,
                            "support": support_p})


def _check_chain(client: TestClient, who: H, *, vat_id: int, hold_id: int, moment_id: int,
                 map_id: int, item_id: int, root_cause: str) -> None:
    forward = _ok(client.get("/chain", params={"friction_point_id": vat_id}, headers=who))
    assert forward["moment"]["id"] == moment_id and forward["moment"]["status"] == "loop_closed"
    assert [i["root_cause"] for i in forward["investigations"]] == [root_cause]
    (action,) = forward["action_items"]
    assert action["id"] == item_id and action["phase"] == "done"
    assert action["checklist"]["notified"] == 3 and action["checklist"].get("pending", 0) == 0
    back = _ok(client.get("/chain", params={"action_item_id": item_id}, headers=who))
    assert {f["id"] for f in back["friction_points"]} == {vat_id, hold_id}
    assert [m["id"] for m in back["journey_maps"]] == [map_id]
    assert back["moment"]["id"] == moment_id


def _check_activity(client: TestClient, who: H, *, moment_id: int, item_id: int,
                    people: dict[str, Any]) -> None:
    """Both logs name who did what, and the item's phase moves read from -> to."""
    lead, inv_owner, owner, support = (people[k] for k in ("lead", "inv_owner", "owner", "support"))
    moment_log = _all(client, f"/activity?moment_id={moment_id}", who)
    did = {(e["actor_id"], e["entity_type"], e["action"]) for e in moment_log}
    assert (lead.id, "moment", "created") in did
    assert (lead.id, "action_item", "created") in did
    assert (inv_owner.id, "investigation", "concluded") in did
    assert (owner.id, "action_item", "phase_changed") in did
    assert (support.id, "checklist_entry", "checklist_entry_updated") in did
    for person in (lead, inv_owner, owner, support):
        labels = {e["actor_label"] for e in moment_log if e["actor_id"] == person.id}
        assert labels and all(person.name in label for label in labels), (person.name, labels)

    item_log = _all(client, f"/action-items/{item_id}/activity", who)
    assert {lead.id, owner.id, support.id} <= {e["actor_id"] for e in item_log}
    moves = [(e["actor_id"], e["changes"]["phase"]["from"], e["changes"]["phase"]["to"])
             for e in reversed(item_log) if e["action"] == "phase_changed"]
    assert moves == [(owner.id, "planned", "implementing"), (owner.id, "implementing", "training"),
                     (owner.id, "training", "closing_loop"), (owner.id, "closing_loop", "done")]
    assert {"created", "work_plan_submitted", "progress_posted"} <= {e["action"] for e in item_log}
