from __future__ import annotations

from tests import factories
from tests.factories import journeys as jf
from tracker.people.models import Role


def _step(name: str, score: int = 0, channel: str = "web") -> dict:
    return {"name": name, "doing": f"doing {name}", "thinking": "hmm", "feeling": "meh",
            "emotion_score": score, "channel": channel, "people_met": ["Agent"],
            "systems_met": ["Portal"], "duration_minutes": 3}


MAP = {
    "name": "Broken invoice", "kind": "customer", "persona": "Small-Business owner",
    "scope_start": "Invoice arrives", "scope_end": "Invoice trusted",
    "objectives": ["Find the source"], "success_metrics": ["Contacts per 1k invoices"],
    "stages": [
        {"name": "Notice", "steps": [_step("Open PDF", 1), _step("Spot wrong total", -3)]},
        {"name": "Contact", "steps": [_step("Call", -3, "phone"), _step("Resolved", 2, "email")]},
    ],
}


def test_create_map_round_trip_with_emotion_curve(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    created = client.post("/journey-maps", headers=lead, json=MAP)
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["ETag"] == '"1"'
    got = client.get(f"/journey-maps/{body['id']}", headers=lead).json()
    assert got == body
    assert [s["name"] for s in got["stages"]] == ["Notice", "Contact"]
    assert [s["position"] for s in got["stages"]] == [0, 1]
    steps = got["stages"][1]["steps"]
    assert [(s["name"], s["position"], s["channel"]) for s in steps] == [
        ("Call", 0, "phone"), ("Resolved", 1, "email")]
    assert steps[0]["people_met"] == ["Agent"] and steps[0]["friction_count"] == 0
    curve = got["emotion_curve"]
    assert [p["emotion_score"] for p in curve["points"]] == [1, -3, -3, 2]
    # The first of two equally low steps is named: that is where the hurt starts.
    assert curve["lowest"]["step_name"] == "Spot wrong total"
    assert curve["lowest"]["stage_name"] == "Notice"


def test_friction_counts_per_step(client, session) -> None:
    _, viewer = factories.user(session, Role.viewer)
    jmap = jf.journey_map(session)
    first, second = jf.steps_of(jmap)[:2]
    jf.friction_point(session, first)
    jf.friction_point(session, first)
    got = client.get(f"/journey-maps/{jmap.id}", headers=viewer).json()
    counts = [s["friction_count"] for s in got["stages"][0]["steps"]]
    assert counts == [2, 0]
    assert got["emotion_curve"]["lowest"]["step_id"] == first.id


def test_validation_names_nested_field(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    bad = {**MAP, "stages": [{"name": "S", "steps": [_step("a"), _step("b", 6)]}]}
    r = client.post("/journey-maps", headers=lead, json=bad)
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "stages.0.steps.1.emotion_score"
    bad = {**MAP, "stages": [{"name": "S", "steps": [_step("a", 0, "pigeon")]}]}
    r = client.post("/journey-maps", headers=lead, json=bad)
    assert r.status_code == 422 and r.json()["error"]["field"] == "stages.0.steps.0.channel"
    bad = {**MAP, "stages": [{"name": "S", "steps": [{**_step("a"), "duration_minutes": -1}]}]}
    r = client.post("/journey-maps", headers=lead, json=bad)
    assert r.json()["error"]["field"] == "stages.0.steps.0.duration_minutes"


def test_only_leads_create_and_edit(client, session) -> None:
    _, viewer = factories.user(session, Role.viewer)
    _, owner = factories.user(session, Role.owner)
    jmap = jf.journey_map(session)
    stage = jmap.stages[0]
    step = stage.steps[0]
    for headers in (viewer, owner):
        assert client.post("/journey-maps", headers=headers, json=MAP).status_code == 403
        assert client.patch(f"/journey-maps/{jmap.id}", headers=headers,
                            json={"name": "x", "version": 1}).status_code == 403
        assert client.post(f"/stages/{stage.id}/steps", headers=headers,
                           json=_step("x")).status_code == 403
        assert client.delete(f"/steps/{step.id}", headers=headers).status_code == 403
    assert client.get(f"/journey-maps/{jmap.id}", headers=viewer).status_code == 200
    assert client.get("/journey-maps/999999", headers=viewer).status_code == 404


def test_update_map_is_versioned_and_logged(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    jmap = jf.journey_map(session)
    url = f"/journey-maps/{jmap.id}"
    assert client.patch(url, headers=lead, json={"name": "New"}).status_code == 428
    ok = client.patch(url, headers={**lead, "If-Match": '"1"'},
                      json={"name": "New", "objectives": ["A", "B"], "scope_end": "Paid"})
    assert ok.status_code == 200, ok.text
    assert ok.json()["version"] == 2 and ok.headers["ETag"] == '"2"'
    assert ok.json()["objectives"] == ["A", "B"]
    stale = client.patch(url, headers=lead, json={"persona": "Other", "version": 1})
    assert stale.status_code == 412
    null = client.patch(url, headers=lead, json={"persona": None, "version": 2})
    assert null.status_code == 422 and null.json()["error"]["field"] == "persona"
    log = client.get("/activity", headers=lead,
                     params={"entity_type": "journey_map", "entity_id": jmap.id}).json()["items"]
    assert log[0]["changes"]["name"] == {"from": jmap.name, "to": "New"}


def test_list_filters_and_pages(client, session) -> None:
    _, viewer = factories.user(session, Role.viewer)
    a = jf.journey_map(session, persona="Small-business OWNER, 50% discount")
    b = jf.journey_map(session, persona="Enterprise admin")
    c = jf.journey_map(session, persona="Support agent", kind="employee")
    ids = []
    cursor = None
    while True:
        page = client.get("/journey-maps", headers=viewer,
                          params={"limit": 1, **({"cursor": cursor} if cursor else {})}).json()
        ids += [m["id"] for m in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert [i for i in ids if i in {a.id, b.id, c.id}] == [c.id, b.id, a.id]
    found = client.get("/journey-maps", headers=viewer, params={"persona": "50%"}).json()["items"]
    assert [m["id"] for m in found] == [a.id]
    found = client.get("/journey-maps", headers=viewer,
                       params={"kind": "employee", "persona": "agent"}).json()["items"]
    assert [m["id"] for m in found] == [c.id]
    bad = client.get("/journey-maps", headers=viewer, params={"kind": "robot"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "kind"
