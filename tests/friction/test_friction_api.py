from __future__ import annotations

from tests import factories
from tests.factories import journeys as jf
from tracker.moments.models import MomentOfTruth
from tracker.people.models import Role

EVIDENCE = {"source": "support_tickets", "note": "37 tickets", "link": "https://t.example/1"}
CUSTOMER = {"name": "Dana", "contact": "dana@example.com", "segment": "SMB"}


def _moment(session) -> MomentOfTruth:
    m = MomentOfTruth(title="Invoice trust")
    session.add(m)
    session.flush()
    return m


def test_create_with_evidence_and_customers_round_trip(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    jmap = jf.journey_map(session)
    step = jf.steps_of(jmap)[1]
    r = client.post("/friction-points", headers=lead, json={
        "step_id": step.id, "title": "Adjustment line", "description": "What is it?",
        "upstream_cause": "billing", "evidence": [EVIDENCE, {"source": "workshop"}],
        "affected_customers": [CUSTOMER]})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["journey_map_id"] == jmap.id and body["moment_id"] is None
    assert (body["journey_map_name"], body["stage_name"], body["step_name"]) == (
        jmap.name, "Notice", "Compare with last month")
    assert [e["source"] for e in body["evidence"]] == ["support_tickets", "workshop"]
    assert body["affected_customers"][0]["contact"] == "dana@example.com"
    got = client.get(f"/friction-points/{body['id']}", headers=lead)
    assert got.json() == body and got.headers["ETag"] == '"1"'
    counts = client.get(f"/journey-maps/{jmap.id}", headers=lead).json()
    assert counts["stages"][0]["steps"][1]["friction_count"] == 1


def test_create_validation_names_field(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    step = jf.steps_of(jf.journey_map(session))[0]
    base = {"step_id": step.id, "title": "T"}
    r = client.post("/friction-points", headers=lead, json={**base, "step_id": 999999})
    assert r.status_code == 422 and r.json()["error"]["field"] == "step_id"
    r = client.post("/friction-points", headers=lead,
                    json={**base, "evidence": [{"source": "gossip"}]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "evidence.0.source"
    r = client.post("/friction-points", headers=lead,
                    json={**base, "evidence": [{"source": "survey", "link": "ftp://x"}]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "evidence.0.link"
    r = client.post("/friction-points", headers=lead,
                    json={**base, "affected_customers": [{"name": "A"}]})
    assert r.json()["error"]["field"] == "affected_customers.0.contact"
    assert client.get("/friction-points/999999", headers=lead).status_code == 404


def test_only_leads_write(client, session) -> None:
    _, viewer = factories.user(session, Role.viewer)
    _, owner = factories.user(session, Role.owner)
    step = jf.steps_of(jf.journey_map(session))[0]
    fp = jf.friction_point(session, step, evidence=1, customers=1)
    for who in (viewer, owner):
        assert client.post("/friction-points", headers=who,
                           json={"step_id": step.id, "title": "x"}).status_code == 403
        assert client.patch(f"/friction-points/{fp.id}", headers=who,
                            json={"title": "x", "version": 1}).status_code == 403
        assert client.post(f"/friction-points/{fp.id}/evidence", headers=who,
                           json=EVIDENCE).status_code == 403
        assert client.delete(f"/friction-points/{fp.id}/evidence/{fp.evidence[0].id}",
                             headers=who).status_code == 403
    assert client.get(f"/friction-points/{fp.id}", headers=viewer).status_code == 200


def test_update_versioned_move_and_moment(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    jmap = jf.journey_map(session)
    other_map_step = jf.steps_of(jf.journey_map(session))[0]
    s1, s2 = jf.steps_of(jmap)[:2]
    fp = jf.friction_point(session, s1)
    moment = _moment(session)
    url = f"/friction-points/{fp.id}"
    assert client.patch(url, headers=lead, json={"title": "x"}).status_code == 428
    assert client.patch(url, headers=lead, json={"title": "x", "version": 5}).status_code == 412
    r = client.patch(url, headers=lead, json={"step_id": other_map_step.id, "version": 1})
    assert r.status_code == 422 and r.json()["error"]["field"] == "step_id"
    r = client.patch(url, headers=lead, json={"moment_id": 999999, "version": 1})
    assert r.status_code == 422 and r.json()["error"]["field"] == "moment_id"
    r = client.patch(url, headers=lead, json={"title": None, "version": 1})
    assert r.status_code == 422 and r.json()["error"]["field"] == "title"
    r = client.patch(url, headers={**lead, "If-Match": '"1"'},
                     json={"step_id": s2.id, "moment_id": moment.id, "upstream_cause": "docs"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["step_id"], body["moment_id"], body["version"]) == (s2.id, moment.id, 2)
    assert r.headers["ETag"] == '"2"'
    log = client.get("/activity", headers=lead, params={"moment_id": moment.id}).json()["items"]
    assert log[0]["entity_id"] == fp.id and log[0]["changes"]["step_id"]["to"] == s2.id
    r = client.patch(url, headers=lead, json={"moment_id": None, "version": 2})
    assert r.status_code == 200 and r.json()["moment_id"] is None


def test_evidence_and_customers_sub_items(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    fp = jf.friction_point(session, jf.steps_of(jf.journey_map(session))[0])
    other = jf.friction_point(session, jf.steps_of(jf.journey_map(session))[0], evidence=1)
    base = f"/friction-points/{fp.id}"
    ev = client.post(f"{base}/evidence", headers=lead, json=EVIDENCE)
    assert ev.status_code == 201 and ev.json()["friction_point_id"] == fp.id
    cu = client.post(f"{base}/affected-customers", headers=lead, json=CUSTOMER)
    assert cu.status_code == 201
    assert client.post("/friction-points/999999/evidence", headers=lead,
                       json=EVIDENCE).status_code == 404
    # Another point's evidence cannot be deleted through this one.
    assert client.delete(f"{base}/evidence/{other.evidence[0].id}", headers=lead).status_code == 404
    assert client.delete(f"{base}/evidence/{ev.json()['id']}", headers=lead).status_code == 204
    assert client.delete(f"{base}/affected-customers/{cu.json()['id']}",
                         headers=lead).status_code == 204
    got = client.get(base, headers=lead).json()
    assert got["evidence"] == [] and got["affected_customers"] == []
    assert got["version"] == 1  # sub-items do not bump the point's version


def test_filters_and_pages(client, session) -> None:
    _, viewer = factories.user(session, Role.viewer)
    jmap = jf.journey_map(session)
    s1, s2 = jf.steps_of(jmap)[:2]
    moment = _moment(session)
    a = jf.friction_point(session, s1, evidence=1)  # workshop evidence
    b = jf.friction_point(session, s2, moment_id=moment.id)
    c = jf.friction_point(session, s2)
    jf.friction_point(session, jf.steps_of(jf.journey_map(session))[0])

    def ids(**params) -> list[int]:
        r = client.get("/friction-points", headers=viewer, params=params)
        assert r.status_code == 200, r.text
        return [f["id"] for f in r.json()["items"]]

    assert ids(journey_map_id=jmap.id) == [c.id, b.id, a.id]
    assert ids(step_id=s2.id) == [c.id, b.id]
    assert ids(moment_id=moment.id) == [b.id]
    assert ids(journey_map_id=jmap.id, unassigned="true") == [c.id, a.id]
    assert ids(journey_map_id=jmap.id, unassigned="false") == [b.id]
    assert ids(journey_map_id=jmap.id, source="workshop") == [a.id]
    assert ids(journey_map_id=jmap.id, source="survey") == []
    pages, cursor = [], None
    while True:
        params = {"journey_map_id": jmap.id, "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/friction-points", headers=viewer, params=params).json()
        pages.append([f["id"] for f in page["items"]])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == [[c.id, b.id], [a.id]]
    r = client.get("/friction-points", headers=viewer, params={"source": "gossip"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "source"
    r = client.get("/friction-points", headers=viewer,
                   params={"unassigned": "true", "moment_id": moment.id})
    assert r.status_code == 422 and r.json()["error"]["field"] == "unassigned"
    r = client.get("/friction-points", headers=viewer, params={"cursor": "garbage!"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "cursor"
