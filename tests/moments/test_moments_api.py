from __future__ import annotations

from sqlalchemy import func, select

from tests import factories
from tests.factories import moments as mf
from tracker.activity.models import ActivityEntry
from tracker.moments.models import MomentOfTruth
from tracker.people.models import Role


def _lead(session):
    return factories.user(session, Role.lead)


def test_lead_creates_a_moment_scored_and_grouped(client, session) -> None:
    lead, headers = _lead(session)
    fp = mf.friction(session)
    session.commit()
    body = {"title": "First invoice is wrong", "journey_map_id": fp.journey_map_id,
            "factors": {"reach": 4, "severity": 5, "emotional_weight": 3, "business_impact": 2,
                        "effort": 2, "confidence": 4},
            "friction_point_ids": [fp.id]}
    created = client.post("/moments", headers=headers, json=body)
    assert created.status_code == 201, created.text
    moment = created.json()
    assert moment["score"] == 47.4 and moment["status"] == "open" and moment["rank"] == 1
    assert moment["created_by_id"] == lead.id
    detail = client.get(f"/moments/{moment['id']}", headers=headers)
    assert detail.headers["ETag"] == '"1"'
    data = detail.json()
    assert [p["id"] for p in data["friction_points"]] == [fp.id]
    assert data["score_breakdown"]["value"] == 3.7 and data["action_items_by_phase"] == {}
    grouped = session.scalars(select(ActivityEntry).where(
        ActivityEntry.action == "grouped", ActivityEntry.entity_id == fp.id)).one()
    assert grouped.moment_id == moment["id"]
    assert grouped.changes == {"moment_id": {"from": None, "to": moment["id"]}}


def test_create_refuses_bad_input_naming_the_field(client, session) -> None:
    _, headers = _lead(session)
    fp = mf.friction(session)
    other = mf.moment(session)
    fp.moment_id = other.id
    session.commit()
    bad_factor = client.post("/moments", headers=headers,
                             json={"title": "x", "factors": {"effort": 6}})
    assert bad_factor.status_code == 422 and bad_factor.json()["error"]["field"] == "factors.effort"
    unknown_map = client.post("/moments", headers=headers, json={"title": "x", "journey_map_id": 999999})
    assert unknown_map.status_code == 422
    assert unknown_map.json()["error"]["field"] == "journey_map_id"
    unknown_fp = client.post("/moments", headers=headers,
                             json={"title": "x", "friction_point_ids": [999999]})
    assert unknown_fp.status_code == 422
    assert unknown_fp.json()["error"]["field"] == "friction_point_ids.0"
    taken = client.post("/moments", headers=headers, json={"title": "x", "friction_point_ids": [fp.id]})
    assert taken.status_code == 409 and taken.json()["error"]["details"]["moment_id"] == other.id
    # Nothing was half-written.
    assert session.scalar(select(func.count()).select_from(MomentOfTruth)
                          .where(MomentOfTruth.title == "x")) == 0


def test_owners_and_viewers_cannot_use_lead_routes(client, session) -> None:
    _, owner = factories.user(session, Role.owner)
    _, viewer = factories.user(session, Role.viewer)
    m = mf.moment(session)
    session.commit()
    for headers in (owner, viewer):
        assert client.post("/moments", headers=headers, json={"title": "x"}).status_code == 403
        assert client.patch(f"/moments/{m.id}", headers=headers,
                            json={"title": "y", "version": 1}).status_code == 403
        assert client.put(f"/moments/{m.id}/rank", headers=headers,
                          json={"rank": 1, "reason": "r", "version": 1}).status_code == 403
        assert client.post(f"/moments/{m.id}/friction-points", headers=headers,
                           json={"friction_point_ids": [1]}).status_code == 403
        assert client.put("/priority-weights", headers=headers, json={
            "reach": 1, "severity": 1, "emotional_weight": 1, "business_impact": 1,
        }).status_code == 403
        # ... but everyone reads.
        assert client.get(f"/moments/{m.id}", headers=headers).status_code == 200
        assert client.get("/moments", headers=headers).status_code == 200
    assert client.get("/moments").status_code == 401


def test_patch_is_versioned_and_recomputes_the_score(client, session) -> None:
    _, headers = _lead(session)
    m = mf.moment(session)  # all 3s: 21.6
    session.commit()
    assert client.patch(f"/moments/{m.id}", headers=headers, json={"title": "t"}).status_code == 428
    ok = client.patch(f"/moments/{m.id}", headers={**headers, "If-Match": '"1"'},
                      json={"factors": {"effort": 1, "confidence": 5}})
    assert ok.status_code == 200, ok.text
    # value 3 -> 100 * 0.6 * 1 * 1
    assert ok.json()["score"] == 60.0 and ok.json()["version"] == 2
    assert ok.json()["factors"]["reach"] == 3 and ok.headers["ETag"] == '"2"'
    stale = client.patch(f"/moments/{m.id}", headers=headers, json={"title": "z", "version": 1})
    assert stale.status_code == 412
    null_title = client.patch(f"/moments/{m.id}", headers=headers, json={"title": None, "version": 2})
    assert null_title.status_code == 422 and null_title.json()["error"]["field"] == "title"
    assert client.patch("/moments/999999", headers=headers, json={"title": "z", "version": 1}
                        ).status_code == 404
    log = session.scalars(select(ActivityEntry).where(
        ActivityEntry.entity_type == "moment", ActivityEntry.entity_id == m.id,
        ActivityEntry.action == "updated")).one()
    assert log.changes["score"] == {"from": 21.6, "to": 60.0}
    assert log.changes["effort"] == {"from": 3, "to": 1}


def test_group_and_ungroup_friction_points(client, session) -> None:
    _, headers = _lead(session)
    m = mf.moment(session)
    a, b = mf.friction(session), mf.friction(session)
    other = mf.moment(session)
    c = mf.friction(session, moment_id=other.id)
    session.commit()
    grouped = client.post(f"/moments/{m.id}/friction-points", headers=headers,
                          json={"friction_point_ids": [a.id, b.id, a.id]})
    assert grouped.status_code == 200, grouped.text
    assert [p["id"] for p in grouped.json()["friction_points"]] == [a.id, b.id]
    again = client.post(f"/moments/{m.id}/friction-points", headers=headers,
                        json={"friction_point_ids": [a.id]})
    assert again.status_code == 200  # idempotent
    moved = client.post(f"/moments/{m.id}/friction-points", headers=headers,
                        json={"friction_point_ids": [a.id, c.id]})
    assert moved.status_code == 409 and moved.json()["error"]["field"] == "friction_point_ids.1"
    empty = client.post(f"/moments/{m.id}/friction-points", headers=headers,
                        json={"friction_point_ids": []})
    assert empty.status_code == 422 and empty.json()["error"]["field"] == "friction_point_ids"
    out = client.delete(f"/moments/{m.id}/friction-points/{a.id}", headers=headers)
    assert out.status_code == 200 and [p["id"] for p in out.json()["friction_points"]] == [b.id]
    assert client.delete(f"/moments/{m.id}/friction-points/{a.id}", headers=headers
                         ).status_code == 404
    assert client.delete(f"/moments/{m.id}/friction-points/{c.id}", headers=headers
                         ).status_code == 404
    assert client.post("/moments/999999/friction-points", headers=headers,
                       json={"friction_point_ids": [a.id]}).status_code == 404
    history = session.scalars(select(ActivityEntry.action).where(
        ActivityEntry.moment_id == m.id, ActivityEntry.entity_type == "friction_point")
        .order_by(ActivityEntry.id)).all()
    assert history == ["grouped", "grouped", "ungrouped"]


def test_unknown_moment_is_404(client, session) -> None:
    _, headers = _lead(session)
    response = client.get("/moments/999999", headers=headers)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
