"""Metrics under journey maps, the map's list of names, links to moments, the emotion baseline."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from tests import factories
from tests.factories import journeys as jf
from tests.factories import moments as mf
from tests.metrics.factories import metric
from tracker.activity.models import ActivityEntry
from tracker.metrics.models import Observation, SuccessMetric
from tracker.people.models import Role


class _AcceptingCounters:
    """Every query counts 0: these tests are about the API's own rules; the vendors' check of a
    query has its tests through the real clients and emulators (test_counting_check.py)."""

    def for_connection(self, kind: str, name: str) -> Any:
        return self

    def count(self, query: str, **_: Any) -> int:
        return 0


@pytest.fixture(autouse=True)
def _vendors_accept_queries(app: Any) -> None:
    app.state.ticket_counters = _AcceptingCounters()


COUNTED = {"name": "VAT tickets", "unit": "tickets", "source_kind": "jira_count",
           "query": "project = SUP AND labels = invoice-vat", "connection": "acme_jira"}


def test_create_read_update_delete(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    _, viewer = factories.user(session, Role.viewer)
    jmap = jf.journey_map(session)
    url = f"/journey-maps/{jmap.id}/metrics"
    created = client.post(url, json=COUNTED, headers=lead)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["direction"], body["period"], body["counted_through"], body["moment_ids"]) == (
        "lower_is_better", "weekly", None, [])
    got = client.get(f"/metrics/{body['id']}", headers=viewer)
    assert got.json() == body and got.headers["ETag"] == '"1"'
    assert client.get(url, headers=viewer).json()["items"] == [body]
    # Same name on the same map: a conflict naming the field.
    dup = client.post(url, json=COUNTED, headers=lead)
    assert dup.status_code == 409 and dup.json()["error"]["field"] == "name"
    # Updates carry the version; a new query starts the counting over.
    counted = session.get(SuccessMetric, body["id"])
    assert counted is not None
    counted.counted_through = date(2026, 1, 4)  # as the counting leaves it (version 2)
    session.commit()
    assert client.patch(f"/metrics/{body['id']}", json={"unit": "t"}, headers=lead).status_code == 428
    patched = client.patch(f"/metrics/{body['id']}", json={"query": "labels = vat", "version": 2}, headers=lead)
    assert patched.status_code == 200, patched.text
    assert patched.json()["counted_through"] is None and patched.json()["version"] == 3
    assert client.patch(f"/metrics/{body['id']}", json={"unit": "t"},
                        headers={**lead, "If-Match": '"1"'}).status_code == 412
    assert client.delete(f"/metrics/{body['id']}", headers=viewer).status_code == 403
    assert client.delete(f"/metrics/{body['id']}", headers=lead).status_code == 204
    assert client.get(f"/metrics/{body['id']}", headers=viewer).status_code == 404


def test_source_rules_name_the_field(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    url = f"/journey-maps/{jf.journey_map(session).id}/metrics"
    cases = [
        ({**COUNTED, "query": None}, "query"),
        ({**COUNTED, "connection": None}, "connection"),
        ({"name": "CSAT", "query": "labels = x"}, "query"),
        ({"name": "CSAT", "direction": "sideways"}, "direction"),
        ({"name": ""}, "name"),
        ({"name": "CSAT", "period": "daily"}, "period"),
    ]
    for body, field in cases:
        r = client.post(url, json=body, headers=lead)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["error"]["field"] == field, (body, r.text)
    assert client.post("/journey-maps/999999/metrics", json={"name": "x"}, headers=lead).status_code == 404


def test_the_map_still_lists_its_metric_names(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    created = client.post("/journey-maps", headers=lead, json={
        "name": "Broken invoice", "kind": "customer", "persona": "SMB owner", "scope_start": "a",
        "scope_end": "b", "success_metrics": ["Contacts per 1k invoices", "Billing CSAT"]}).json()
    assert created["success_metrics"] == ["Contacts per 1k invoices", "Billing CSAT"]
    metrics = client.get(f"/journey-maps/{created['id']}/metrics", headers=lead).json()["items"]
    assert [(m["name"], m["source_kind"], m["unit"]) for m in metrics] == [
        ("Contacts per 1k invoices", "manual", ""), ("Billing CSAT", "manual", "")]
    listed = client.get("/journey-maps", headers=lead).json()["items"]
    assert next(m for m in listed if m["id"] == created["id"])["success_metrics"] == created["success_metrics"]
    # PATCH replaces the list: a new name is added, one left out removed, the map's version moves.
    patched = client.patch(f"/journey-maps/{created['id']}", headers={**lead, "If-Match": '"1"'},
                           json={"success_metrics": ["Billing CSAT", "Disputes"]})
    assert patched.status_code == 200, patched.text
    assert patched.json()["success_metrics"] == ["Billing CSAT", "Disputes"]
    assert patched.headers["ETag"] == '"2"'
    # A metric with values is never dropped by leaving its name out.
    csat = next(m for m in metrics if m["name"] == "Billing CSAT")
    client.put(f"/metrics/{csat['id']}/observations/2026-W05", json={"value": 4.1}, headers=lead)
    refused = client.patch(f"/journey-maps/{created['id']}", headers={**lead, "If-Match": '"2"'},
                           json={"success_metrics": ["Disputes"]})
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "success_metrics"
    assert "Billing CSAT" in refused.json()["error"]["message"]


def test_link_and_unlink_a_moment(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    _, viewer = factories.user(session, Role.viewer)
    m = metric(session)
    moment = mf.moment(session, journey_map_id=m.journey_map_id)
    elsewhere = mf.moment(session, journey_map_id=jf.journey_map(session).id)
    session.commit()
    url = f"/moments/{moment.id}/metrics/{m.id}"
    assert client.put(url, headers=viewer).status_code == 403
    linked = client.put(url, headers=lead)
    assert linked.status_code == 200 and linked.json()["moment_ids"] == [moment.id]
    assert client.put(url, headers=lead).status_code == 200  # again: nothing changes
    assert [x["id"] for x in client.get(f"/moments/{moment.id}/metrics", headers=viewer).json()] == [m.id]
    other = client.put(f"/moments/{elsewhere.id}/metrics/{m.id}", headers=lead)
    assert other.status_code == 422 and other.json()["error"]["field"] == "metric_id"
    assert client.delete(url, headers=lead).status_code == 204
    assert client.delete(url, headers=lead).status_code == 404
    assert client.get(f"/moments/{moment.id}/metrics", headers=viewer).json() == []
    actions = session.scalars(select(ActivityEntry.action).where(ActivityEntry.moment_id == moment.id)).all()
    assert actions == ["metric_linked", "metric_unlinked"]


def test_the_emotion_baseline_reads_the_steps_of_the_moments_friction(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    jmap = jf.journey_map(session)  # four steps, all scored 0
    steps = jf.steps_of(jmap)
    for step, score in zip(steps, (-4, -2, 1, 3), strict=True):
        step.emotion_score = score
    moment = mf.moment(session, journey_map_id=jmap.id)
    for step in steps[:2]:
        jf.friction_point(session, step).moment_id = moment.id
    session.commit()
    created = client.post(f"/journey-maps/{jmap.id}/metrics", headers=lead,
                          json={"name": "Emotion where it hurts", "source_kind": "emotion", "unit": "score"})
    assert created.status_code == 201, created.text
    metric_id = created.json()["id"]
    assert created.json()["direction"] == "higher_is_better"

    def values() -> list[float]:
        session.expire_all()
        return [o.value for o in session.scalars(select(Observation).where(Observation.metric_id == metric_id))]

    assert values() == [-0.5]  # no moment yet: every step of the map, (-4 - 2 + 1 + 3) / 4
    client.put(f"/moments/{moment.id}/metrics/{metric_id}", headers=lead)
    assert values() == [-3.0]  # now the steps where the moment's friction is pinned
    steps[0].emotion_score = -2  # a later survey
    session.commit()
    taken = client.post(f"/metrics/{metric_id}/emotion-baseline", headers=lead)
    assert taken.status_code == 200 and taken.json()["source"] == "emotion"
    assert values() == [-2.0]
    manual = metric(session, journey_map_id=jmap.id, name="Contacts")
    session.commit()
    refused = client.post(f"/metrics/{manual.id}/emotion-baseline", headers=lead)
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "source_kind"
