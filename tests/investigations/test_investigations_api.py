from __future__ import annotations

from sqlalchemy import select

from tests import factories
from tests.factories import moments as mf
from tracker.activity.models import ActivityEntry
from tracker.people.models import Role


def _create(client, headers, **body):
    return client.post("/investigations", headers=headers, json=body)


def test_lead_opens_an_investigation_and_everyone_reads_it(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    _, viewer = factories.user(session, Role.viewer)
    owner = factories.person(session, Role.owner)
    m = mf.moment(session)
    session.commit()
    created = _create(client, lead, moment_id=m.id, title="Why VAT doubles", owner_id=owner.id,
                      due_date="2030-01-31", hypotheses=[" PDF template ", "Tax engine"])
    assert created.status_code == 201, created.text
    inv = created.json()
    assert inv["status"] == "open" and inv["hypotheses"] == ["PDF template", "Tax engine"]
    one = client.get(f"/investigations/{inv['id']}", headers=viewer)
    assert one.status_code == 200 and one.headers["ETag"] == '"1"'
    assert client.get("/investigations/999999", headers=viewer).status_code == 404
    entry = session.scalars(select(ActivityEntry).where(
        ActivityEntry.entity_type == "investigation", ActivityEntry.entity_id == inv["id"])).one()
    assert entry.moment_id == m.id and entry.action == "created"
    assert client.get(f"/moments/{m.id}", headers=viewer).json()["status"] == "investigating"


def test_create_refuses_bad_references_and_non_leads(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    _, owner_headers = factories.user(session, Role.owner)
    viewer = factories.person(session, Role.viewer)
    m = mf.moment(session)
    stray = mf.friction(session)
    session.commit()
    cases = [
        ({"moment_id": 999999, "title": "x"}, "moment_id"),
        ({"moment_id": m.id, "title": "x", "owner_id": 999999}, "owner_id"),
        ({"moment_id": m.id, "title": "x", "owner_id": viewer.id}, "owner_id"),
        ({"moment_id": m.id, "title": "x", "hypotheses": ["ok", " "]}, "hypotheses.1"),
        ({"moment_id": m.id, "title": "x", "friction_point_id": stray.id}, "friction_point_id"),
        ({"moment_id": m.id, "title": ""}, "title"),
        ({"moment_id": m.id, "title": "x", "due_date": "soon"}, "due_date"),
    ]
    for body, field in cases:
        response = _create(client, lead, **body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"]["field"] == field
    assert _create(client, owner_headers, moment_id=m.id, title="x").status_code == 403


def test_list_filters_and_pages(client, session) -> None:
    _, viewer = factories.user(session, Role.viewer)
    owner = factories.person(session, Role.owner)
    m1, m2 = mf.moment(session), mf.moment(session)
    a = mf.investigation(session, m1, owner_id=owner.id)
    b = mf.investigation(session, m1, status="concluded", root_cause="x", root_cause_category="tool")
    c = mf.investigation(session, m2)
    session.commit()

    def ids(**params):
        return [i["id"] for i in client.get("/investigations", headers=viewer,
                                            params=params).json()["items"]]

    assert ids(moment_id=m1.id) == [b.id, a.id]
    assert ids(owner_id=owner.id) == [a.id]
    assert ids(moment_id=m1.id, status="concluded") == [b.id]
    assert c.id in ids()
    page = client.get("/investigations", headers=viewer, params={"moment_id": m1.id, "limit": 1}).json()
    rest = client.get("/investigations", headers=viewer,
                      params={"moment_id": m1.id, "limit": 1, "cursor": page["next_cursor"]}).json()
    assert [i["id"] for i in page["items"] + rest["items"]] == [b.id, a.id]
    assert rest["next_cursor"] is None
    bad = client.get("/investigations", headers=viewer, params={"status": "finished"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "status"


def test_concluding_needs_root_cause_and_category(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    m = mf.moment(session)
    inv = mf.investigation(session, m)
    session.commit()
    url = f"/investigations/{inv.id}"
    no_cause = client.patch(url, headers=lead, json={"status": "concluded", "version": 1})
    assert no_cause.status_code == 422 and no_cause.json()["error"]["field"] == "root_cause"
    no_category = client.patch(url, headers=lead, json={
        "status": "concluded", "root_cause": "Two pro-rating rules", "version": 1})
    assert no_category.status_code == 422
    assert no_category.json()["error"]["field"] == "root_cause_category"
    blank = client.patch(url, headers=lead, json={
        "status": "concluded", "root_cause": "  ", "root_cause_category": "process", "version": 1})
    assert blank.status_code == 422 and blank.json()["error"]["field"] == "root_cause"
    done = client.patch(url, headers=lead, json={
        "status": "concluded", "root_cause": "Two pro-rating rules",
        "root_cause_category": "process", "root_cause_area": "billing",
        "findings": "Sales and billing disagree", "version": 1})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "concluded" and done.json()["version"] == 2
    # A concluded investigation cannot lose its root cause.
    erase = client.patch(url, headers=lead, json={"root_cause": None, "version": 2})
    assert erase.status_code == 422 and erase.json()["error"]["field"] == "root_cause"
    bad_category = client.patch(url, headers=lead, json={"root_cause_category": "luck", "version": 2})
    assert bad_category.status_code == 422
    assert bad_category.json()["error"]["field"] == "root_cause_category"
    reopened = client.patch(url, headers=lead, json={"status": "in_progress", "version": 2})
    assert reopened.status_code == 200 and reopened.json()["root_cause"] == "Two pro-rating rules"
    actions = session.scalars(select(ActivityEntry.action).where(
        ActivityEntry.entity_type == "investigation", ActivityEntry.entity_id == inv.id)
        .order_by(ActivityEntry.id)).all()
    assert actions == ["concluded", "updated"]


def test_owner_edits_their_own_investigation_only(client, session) -> None:
    me, mine = factories.user(session, Role.owner)
    _, someone = factories.user(session, Role.owner)
    _, viewer = factories.user(session, Role.viewer)
    m = mf.moment(session)
    inv = mf.investigation(session, m, owner_id=me.id)
    session.commit()
    url = f"/investigations/{inv.id}"
    ok = client.patch(url, headers=mine, json={"findings": "Found it", "hypotheses": ["a"],
                                               "status": "in_progress", "version": 1})
    assert ok.status_code == 200 and ok.json()["findings"] == "Found it"
    retitle = client.patch(url, headers=mine, json={"title": "Mine now", "version": 2})
    assert retitle.status_code == 403 and retitle.json()["error"]["field"] == "title"
    assert client.patch(url, headers=someone, json={"findings": "x", "version": 2}).status_code == 403
    assert client.patch(url, headers=viewer, json={"findings": "x", "version": 2}).status_code == 403
    assert client.patch(url, headers=mine, json={"findings": "y"}).status_code == 428
    assert client.patch(url, headers=mine, json={"findings": "y", "version": 1}).status_code == 412
    assert client.patch("/investigations/999999", headers=mine,
                        json={"findings": "y", "version": 1}).status_code == 404
    entry = session.scalars(select(ActivityEntry).where(
        ActivityEntry.entity_type == "investigation", ActivityEntry.entity_id == inv.id)).one()
    assert entry.actor_id == me.id and entry.moment_id == m.id
    assert entry.changes["status"] == {"from": "open", "to": "in_progress"}


def test_lead_may_reassign_and_the_new_owner_must_be_able_to_write(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    other = factories.person(session, Role.owner)
    gone = factories.person(session, Role.owner, active=False)
    m = mf.moment(session)
    inv = mf.investigation(session, m)
    session.commit()
    url = f"/investigations/{inv.id}"
    inactive = client.patch(url, headers=lead, json={"owner_id": gone.id, "version": 1})
    assert inactive.status_code == 422 and inactive.json()["error"]["field"] == "owner_id"
    moved = client.patch(url, headers=lead, json={"owner_id": other.id, "due_date": "2030-05-01",
                                                  "version": 1})
    assert moved.status_code == 200 and moved.json()["owner_id"] == other.id
