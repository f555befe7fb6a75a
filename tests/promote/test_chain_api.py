from __future__ import annotations

from tests import factories
from tests.factories import moments as mf
from tracker.actions.models import ChecklistEntry, ContactChannel, NotificationStatus, Phase
from tracker.people.models import Role


def _world(session):
    m = mf.moment(session, title="The first wrong invoice")
    fp = mf.friction(session, moment_id=m.id, title="VAT shown twice")
    m.journey_map_id = fp.journey_map_id
    other_fp = mf.friction(session, moment_id=m.id)
    inv = mf.investigation(session, m, friction_point_id=fp.id)
    item = mf.action_item(session, moment_=m, investigation_id=inv.id, phase=Phase.implementing)
    for status in (NotificationStatus.pending, NotificationStatus.notified):
        session.add(ChecklistEntry(action_item_id=item.id, customer_name="Acme",
                                   contact=f"{status}@acme.example", channel=ContactChannel.email,
                                   status=status))
    # Noise that must not appear in the chain.
    stray_item = mf.action_item(session, moment_=None)
    mf.investigation(session, mf.moment(session))
    session.commit()
    return {"moment": m, "fp": fp, "other_fp": other_fp, "inv": inv, "item": item,
            "stray_item": stray_item}


def test_walk_the_chain_from_every_link(client, session) -> None:
    _, headers = factories.user(session, Role.viewer)
    w = _world(session)
    starts = {"friction_point_id": w["fp"].id, "moment_id": w["moment"].id,
              "investigation_id": w["inv"].id, "action_item_id": w["item"].id}
    graphs = []
    for param, ident in starts.items():
        response = client.get("/chain", headers=headers, params={param: ident})
        assert response.status_code == 200, response.text
        graph = response.json()
        assert graph["start"] == {"kind": param.removesuffix("_id"), "id": ident}
        graphs.append({k: v for k, v in graph.items() if k != "start"})
    assert all(g == graphs[0] for g in graphs)  # the same graph whichever way you walk it
    g = graphs[0]
    assert g["moment"]["id"] == w["moment"].id and g["moment"]["status"] == "in_progress"
    assert [f["id"] for f in g["friction_points"]] == [w["fp"].id, w["other_fp"].id]
    step = g["friction_points"][0]["step"]
    assert step["name"] == "Open invoice" and step["stage_name"] == "Notice"
    assert {j["id"] for j in g["journey_maps"]} == {f["journey_map_id"]
                                                   for f in g["friction_points"]}
    assert [i["id"] for i in g["investigations"]] == [w["inv"].id]
    assert [a["id"] for a in g["action_items"]] == [w["item"].id]
    action = g["action_items"][0]
    assert action["phase"] == "implementing"
    assert action["checklist"]["total"] == 2 and action["checklist"]["pending"] == 1
    assert action["checklist"]["notified"] == 1


def test_chain_of_an_ungrouped_friction_point_and_a_lone_action_item(client, session) -> None:
    _, headers = factories.user(session, Role.viewer)
    w = _world(session)
    lone = mf.friction(session)
    session.commit()
    g = client.get("/chain", headers=headers, params={"friction_point_id": lone.id}).json()
    assert g["moment"] is None and [f["id"] for f in g["friction_points"]] == [lone.id]
    assert g["investigations"] == [] and g["action_items"] == []
    assert [j["id"] for j in g["journey_maps"]] == [lone.journey_map_id]
    g = client.get("/chain", headers=headers, params={"action_item_id": w["stray_item"].id}).json()
    assert g["moment"] is None and [a["id"] for a in g["action_items"]] == [w["stray_item"].id]
    assert g["friction_points"] == [] and g["investigations"] == []


def test_chain_after_promote_runs_journey_to_checklist(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    owner = factories.person(session, Role.owner)
    team = factories.team(session)
    fp = mf.friction(session, customers=2)
    session.commit()
    out = client.post("/promote", headers=lead, json={
        "source": {"friction_point_id": fp.id},
        "action_items": [{"title": "Fix it", "team_id": team.id, "owner_id": owner.id,
                          "deadline": "2031-01-01", "priority": "urgent"}],
    }).json()
    g = client.get("/chain", headers=lead, params={"action_item_id": out["action_item_ids"][0]}).json()
    assert g["journey_maps"][0]["id"] == fp.journey_map_id
    assert [f["id"] for f in g["friction_points"]] == [fp.id]
    assert g["moment"]["id"] == out["moment_id"] and g["moment"]["status"] == "actions_planned"
    assert g["investigations"][0]["friction_point_id"] == fp.id
    assert g["action_items"][0]["checklist"]["total"] == 2


def test_chain_needs_exactly_one_known_start(client, session) -> None:
    _, headers = factories.user(session, Role.viewer)
    m = mf.moment(session)
    session.commit()
    none = client.get("/chain", headers=headers)
    assert none.status_code == 422
    two = client.get("/chain", headers=headers, params={"moment_id": m.id, "action_item_id": 1})
    assert two.status_code == 422 and two.json()["error"]["field"] == "action_item_id"
    for param in ("friction_point_id", "moment_id", "investigation_id", "action_item_id"):
        assert client.get("/chain", headers=headers, params={param: 999999}).status_code == 404
    assert client.get("/chain", params={"moment_id": m.id}).status_code == 401
