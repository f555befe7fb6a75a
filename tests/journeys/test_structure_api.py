from __future__ import annotations

from tests import factories
from tests.factories import journeys as jf
from tracker.people.models import Role

STEP = {"name": "New step", "emotion_score": -1, "channel": "chat"}


def _layout(client, headers, map_id: int) -> list[tuple[str, list[tuple[str, int]]]]:
    got = client.get(f"/journey-maps/{map_id}", headers=headers).json()
    for stage in got["stages"]:
        assert [s["position"] for s in stage["steps"]] == list(range(len(stage["steps"])))
    assert [s["position"] for s in got["stages"]] == list(range(len(got["stages"])))
    return [(s["name"], [st["name"] for st in s["steps"]]) for s in got["stages"]]


def test_add_stage_and_steps_at_positions_bumps_map_version(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    jmap = jf.journey_map(session, {"A": ["a1", "a2"], "B": ["b1"]})
    r = client.post(f"/journey-maps/{jmap.id}/stages", headers=lead,
                    json={"name": "Start", "position": 0, "steps": [STEP]})
    assert r.status_code == 201, r.text
    assert r.json()["position"] == 0 and r.headers["ETag"] == '"2"'
    stage_a = jmap.stages[0]
    r = client.post(f"/stages/{stage_a.id}/steps", headers=lead, json={**STEP, "position": 1})
    assert r.status_code == 201 and r.json()["position"] == 1 and r.headers["ETag"] == '"3"'
    r = client.post(f"/stages/{stage_a.id}/steps", headers=lead, json={**STEP, "name": "end"})
    assert r.json()["position"] == 3
    assert _layout(client, lead, jmap.id) == [
        ("Start", ["New step"]), ("A", ["a1", "New step", "a2", "end"]), ("B", ["b1"])]
    assert client.post("/stages/999999/steps", headers=lead, json=STEP).status_code == 404
    assert client.post("/journey-maps/999999/stages", headers=lead,
                       json={"name": "x"}).status_code == 404


def test_move_steps_and_stages(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    jmap = jf.journey_map(session, {"A": ["a1", "a2", "a3"], "B": ["b1", "b2"]})
    a1, a2, a3, b1, b2 = jf.steps_of(jmap)
    r = client.patch(f"/steps/{a3.id}", headers=lead, json={"position": 0, "version": 1})
    assert r.status_code == 200, r.text
    assert _layout(client, lead, jmap.id) == [("A", ["a3", "a1", "a2"]), ("B", ["b1", "b2"])]
    r = client.patch(f"/steps/{a1.id}", headers={**lead, "If-Match": r.headers["ETag"]},
                     json={"stage_id": jmap.stages[1].id, "position": 1, "feeling": "lost"})
    assert r.status_code == 200, r.text
    assert r.json()["stage_id"] == jmap.stages[1].id and r.json()["feeling"] == "lost"
    assert _layout(client, lead, jmap.id) == [("A", ["a3", "a2"]), ("B", ["b1", "a1", "b2"])]
    r = client.patch(f"/stages/{jmap.stages[1].id}", headers=lead,
                     json={"position": 0, "name": "Bee", "version": 3})
    assert r.status_code == 200, r.text
    assert _layout(client, lead, jmap.id) == [("Bee", ["b1", "a1", "b2"]), ("A", ["a3", "a2"])]
    # A position past the end means the end.
    r = client.patch(f"/steps/{b1.id}", headers=lead, json={"position": 99, "version": 4})
    assert r.status_code == 200 and r.json()["position"] == 2


def test_step_edits_are_versioned_and_validated(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    jmap = jf.journey_map(session)
    other = jf.journey_map(session)
    step = jf.steps_of(jmap)[0]
    url = f"/steps/{step.id}"
    assert client.patch(url, headers=lead, json={"name": "x"}).status_code == 428
    assert client.patch(url, headers=lead, json={"name": "x", "version": 7}).status_code == 412
    r = client.patch(url, headers=lead, json={"emotion_score": -9, "version": 1})
    assert r.status_code == 422 and r.json()["error"]["field"] == "emotion_score"
    r = client.patch(url, headers=lead, json={"channel": None, "version": 1})
    assert r.status_code == 422 and r.json()["error"]["field"] == "channel"
    r = client.patch(url, headers=lead, json={"stage_id": other.stages[0].id, "version": 1})
    assert r.status_code == 422 and r.json()["error"]["field"] == "stage_id"
    assert client.patch("/steps/999999", headers=lead, json={"version": 1}).status_code == 404
    r = client.patch(url, headers=lead, json={"duration_minutes": None, "emotion_score": 4,
                                              "version": 1})
    assert r.status_code == 200 and r.json()["emotion_score"] == 4
    assert r.headers["ETag"] == '"2"'


def test_delete_step_only_without_friction(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    jmap = jf.journey_map(session, {"A": ["a1", "a2", "a3"]})
    a1, a2, a3 = jf.steps_of(jmap)
    jf.friction_point(session, a2)
    r = client.delete(f"/steps/{a2.id}", headers=lead)
    assert r.status_code == 409 and r.json()["error"]["details"]["friction_points"] == 1
    r = client.delete(f"/stages/{jmap.stages[0].id}", headers=lead)
    assert r.status_code == 409
    assert client.delete(f"/steps/{a1.id}", headers=lead).status_code == 204
    assert _layout(client, lead, jmap.id) == [("A", ["a2", "a3"])]
    assert client.delete(f"/steps/{a1.id}", headers=lead).status_code == 404


def test_delete_stage_renumbers(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    jmap = jf.journey_map(session, {"A": ["a1"], "B": [], "C": ["c1"]})
    assert client.delete(f"/stages/{jmap.stages[0].id}", headers=lead).status_code == 204
    assert _layout(client, lead, jmap.id) == [("B", []), ("C", ["c1"])]
    got = client.get(f"/journey-maps/{jmap.id}", headers=lead)
    assert got.headers["ETag"] == '"2"'


def test_bad_input_on_structure_routes_is_named(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    jmap = jf.journey_map(session)
    stage_id = jmap.stages[0].id
    r = client.post(f"/stages/{stage_id}/steps", headers=lead, json={**STEP, "name": "a\x00b"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "name"
    r = client.post(f"/stages/{stage_id}/steps", headers=lead, json={**STEP, "emotion_score": -6})
    assert r.status_code == 422 and r.json()["error"]["field"] == "emotion_score"
    r = client.post(f"/journey-maps/{jmap.id}/stages", headers=lead,
                    json={"name": "S", "steps": [{**STEP, "people_met": ["x\x00"]}]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "steps.0.people_met"
    assert client.get("/steps/1/nothing", headers=lead).status_code == 404
    assert client.get(f"/journey-maps/{2**40}", headers=lead).status_code == 422
