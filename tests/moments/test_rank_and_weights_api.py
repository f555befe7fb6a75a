from __future__ import annotations

from sqlalchemy import select

from tests import factories
from tests.factories import moments as mf
from tracker.activity.models import ActivityEntry
from tracker.moments.models import MomentOfTruth
from tracker.people.models import Role


def _titles(client, headers, **params) -> list[str]:
    page = client.get("/moments", headers=headers, params=params)
    assert page.status_code == 200, page.text
    return [m["title"] for m in page.json()["items"]]


def test_list_orders_by_score_and_a_pin_holds_its_place(client, session) -> None:
    _, headers = factories.user(session, Role.lead)
    high = mf.moment(session, title="high", reach=5, severity=5)
    mf.moment(session, title="mid")
    low = mf.moment(session, title="low", reach=1, severity=1)
    session.commit()
    assert _titles(client, headers) == ["high", "mid", "low"]

    no_reason = client.put(f"/moments/{low.id}/rank", headers=headers, json={"rank": 1, "version": 1})
    assert no_reason.status_code == 422 and no_reason.json()["error"]["field"] == "reason"
    blank = client.put(f"/moments/{low.id}/rank", headers=headers,
                       json={"rank": 1, "reason": "  ", "version": 1})
    assert blank.status_code == 422 and blank.json()["error"]["field"] == "reason"
    assert client.put(f"/moments/{low.id}/rank", headers=headers,
                      json={"rank": 1, "reason": "r"}).status_code == 428
    zero = client.put(f"/moments/{low.id}/rank", headers=headers,
                      json={"rank": 0, "reason": "r", "version": 1})
    assert zero.status_code == 422 and zero.json()["error"]["field"] == "rank"

    pinned = client.put(f"/moments/{low.id}/rank", headers=headers,
                        json={"rank": 2, "reason": "Churn spike in EMEA", "version": 1})
    assert pinned.status_code == 200, pinned.text
    assert pinned.json()["rank"] == 2 and pinned.json()["rank_override_reason"] == "Churn spike in EMEA"
    assert _titles(client, headers) == ["high", "low", "mid"]
    # A second pin at a taken rank is refused, naming who holds it.
    taken = client.put(f"/moments/{high.id}/rank", headers=headers,
                       json={"rank": 2, "reason": "mine", "version": 1})
    assert taken.status_code == 409 and taken.json()["error"]["details"]["moment_id"] == low.id
    # Pinning beyond the end of the list puts it last.
    client.put(f"/moments/{low.id}/rank", headers=headers,
               json={"rank": 99, "reason": "park it", "version": 2})
    assert _titles(client, headers) == ["high", "mid", "low"]
    unpinned = client.put(f"/moments/{low.id}/rank", headers=headers, json={"rank": None, "version": 3})
    assert unpinned.status_code == 200 and unpinned.json()["rank_override"] is None
    assert unpinned.json()["rank_override_reason"] is None and unpinned.json()["rank"] == 3
    actions = session.scalars(select(ActivityEntry.action).where(
        ActivityEntry.moment_id == low.id, ActivityEntry.action.like("rank%"))
        .order_by(ActivityEntry.id)).all()
    assert actions == ["rank_pinned", "rank_pinned", "rank_unpinned"]
    first = session.scalars(select(ActivityEntry).where(
        ActivityEntry.moment_id == low.id, ActivityEntry.action == "rank_pinned")
        .order_by(ActivityEntry.id)).first()
    assert first.changes["rank_override"] == {"from": None, "to": 2}
    assert first.changes["rank_override_reason"]["to"] == "Churn spike in EMEA"


def test_list_pages_and_filters_keep_global_ranks(client, session) -> None:
    _, headers = factories.user(session, Role.viewer)
    fp = mf.friction(session)
    for i in range(5):
        mf.moment(session, title=f"m{i}", reach=5 - i,
                  journey_map_id=fp.journey_map_id if i % 2 else None)
    session.commit()
    first = client.get("/moments", headers=headers, params={"limit": 2}).json()
    assert [m["rank"] for m in first["items"]] == [1, 2] and first["next_cursor"]
    second = client.get("/moments", headers=headers,
                        params={"limit": 2, "cursor": first["next_cursor"]}).json()
    third = client.get("/moments", headers=headers,
                       params={"limit": 2, "cursor": second["next_cursor"]}).json()
    assert [m["rank"] for m in second["items"] + third["items"]] == [3, 4, 5]
    assert third["next_cursor"] is None
    in_map = client.get("/moments", headers=headers,
                        params={"journey_map_id": fp.journey_map_id}).json()["items"]
    assert [(m["title"], m["rank"]) for m in in_map] == [("m1", 2), ("m3", 4)]
    bad = client.get("/moments", headers=headers, params={"cursor": "nope!"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "cursor"


def test_weights_default_then_set_and_every_score_recomputed(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    _, viewer = factories.user(session, Role.viewer)
    a = mf.moment(session, reach=5, severity=1, emotional_weight=1, business_impact=1)
    b = mf.moment(session, reach=1, severity=5, emotional_weight=1, business_impact=1)
    session.commit()
    got = client.get("/priority-weights", headers=viewer).json()
    assert got["source"] == "default" and got["reach"] == 0.3 and got["version"] is None
    assert a.score == b.score == 15.8  # value 2.2 either way under 0.3/0.3/0.2/0.2

    body = {"reach": 1, "severity": 0, "emotional_weight": 0, "business_impact": 0}
    saved = client.put("/priority-weights", headers=lead, json=body)
    assert saved.status_code == 200, saved.text
    assert saved.json()["source"] == "programme" and saved.json()["moments_rescored"] == 2
    session.expire_all()
    # reach only: a has value 5 -> 100 * 1 * .6 * .6 = 36; b has value 1 -> 7.2
    assert session.get(MomentOfTruth, a.id).score == 36.0
    assert session.get(MomentOfTruth, b.id).score == 7.2
    # The derived score does not bump the moment's version.
    assert session.get(MomentOfTruth, a.id).version == 1
    # New and edited moments use the saved weights too.
    created = client.post("/moments", headers=lead, json={"title": "n", "factors": {"reach": 5}})
    assert created.json()["score"] == 36.0

    # Once saved, changes are versioned.
    assert client.put("/priority-weights", headers=lead, json=body).status_code == 428
    assert client.put("/priority-weights", headers=lead, json={**body, "version": 9}).status_code == 412
    again = client.put("/priority-weights", headers={**lead, "If-Match": '"1"'},
                       json={**body, "severity": 1})
    assert again.status_code == 200 and again.json()["version"] == 2
    assert client.get("/priority-weights", headers=viewer).headers["ETag"] == '"2"'
    log = session.scalars(select(ActivityEntry).where(
        ActivityEntry.entity_type == "priority_weights").order_by(ActivityEntry.id)).all()
    assert [e.action for e in log] == ["created", "updated"]
    assert log[0].changes["severity"] == {"from": 0.3, "to": 0.0}
    assert log[0].changes["moments_rescored"] == 2


def test_weights_refuse_negative_and_all_zero(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    negative = client.put("/priority-weights", headers=lead, json={
        "reach": -1, "severity": 1, "emotional_weight": 1, "business_impact": 1})
    assert negative.status_code == 422 and negative.json()["error"]["field"] == "reach"
    zero = client.put("/priority-weights", headers=lead, json={
        "reach": 0, "severity": 0, "emotional_weight": 0, "business_impact": 0})
    assert zero.status_code == 422 and zero.json()["error"]["field"] == "weights"
    missing = client.put("/priority-weights", headers=lead, json={"reach": 1})
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "severity"
