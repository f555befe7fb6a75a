"""A counted metric's query is checked with the vendor when it is created or changed: refused
with 422 naming the vendor's own message, 503 when the vendor cannot be reached."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from integrations.emulation import Fault
from tests import factories
from tests.factories.journeys import journey_map
from tests.metrics.counting_harness import Counted, make
from tracker.app import create_app
from tracker.config import ConnectionSettings, Settings
from tracker.metrics.counting import COUNT_KIND
from tracker.outbox.models import OutboxMessage
from tracker.people.models import Role

BAD = {
    # A clause the JQL parser cannot read; Jira answers 400 with errorMessages.
    "jira": ("project = SUP AND labels === invoice-vat", "Error in the JQL Query"),
    # A repository that does not exist; GitHub answers 422 Validation Failed.
    "github": ("repo:acme/no-such-repo label:invoice-vat", "cannot be searched"),
}


@pytest.fixture(params=["jira", "github"])
def vendor(request: pytest.FixtureRequest) -> Iterator[Counted]:
    v = make(request.param)
    yield v
    v.emulator.stop()


@pytest.fixture
def api(database: Any, vendor: Counted, session_factory: Any) -> Iterator[TestClient]:
    settings = Settings(database_url=database.url, base_url="http://tracker.test", connections={
        vendor.connection_name: vendor.connection_settings(),
        "down": ConnectionSettings(kind=vendor.kind, url="http://127.0.0.1:9/api/v3", user="x", token="t",
                                   max_retry_delay=0.01, seconds_between_requests=0),
    })
    with TestClient(create_app(settings, session_factory=session_factory)) as client:
        yield client


def body(vendor: Counted, **fields: Any) -> dict[str, Any]:
    return {"name": "Invoice VAT contacts", "unit": "tickets", "source_kind": vendor.source_kind.value,
            "query": vendor.query, "connection": vendor.connection_name, **fields}


def test_bad_query_refused_naming_the_vendor_message(api: TestClient, session: Any, vendor: Counted) -> None:
    _, lead = factories.user(session, Role.lead)
    url = f"/journey-maps/{journey_map(session).id}/metrics"
    session.commit()
    query, vendor_text = BAD[vendor.kind]
    refused = api.post(url, json=body(vendor, query=query), headers=lead)
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["field"] == "query" and vendor_text in error["message"], error

    created = api.post(url, json=body(vendor), headers=lead)
    assert created.status_code == 201, created.text
    metric = created.json()
    # The backfill is queued with the metric, in the same transaction.
    assert session.scalars(select(OutboxMessage.payload).where(OutboxMessage.kind == COUNT_KIND)).all() == [
        {"metric_id": metric["id"]}]

    changed = api.patch(f"/metrics/{metric['id']}", json={"query": query, "version": metric["version"]},
                        headers=lead)
    assert changed.status_code == 422 and vendor_text in changed.json()["error"]["message"], changed.text


def test_unknown_connection_and_unreachable_vendor(api: TestClient, session: Any, vendor: Counted) -> None:
    _, lead = factories.user(session, Role.lead)
    url = f"/journey-maps/{journey_map(session).id}/metrics"
    session.commit()
    unknown = api.post(url, json=body(vendor, connection="nowhere"), headers=lead)
    assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "connection", unknown.text

    down = api.post(url, json=body(vendor, connection="down"), headers=lead)
    assert down.status_code == 503, down.text
    assert down.json()["error"]["code"] == "vendor_unavailable"
    assert "nothing was saved" in down.json()["error"]["message"]

    # A vendor failing for longer than its client retries: the same answer, with its Retry-After.
    vendor.emulator.faults.queued = [Fault.SERVER_ERROR] * 5
    failing = api.post(url, json=body(vendor), headers=lead)
    assert failing.status_code == 503, failing.text
    assert api.get(url, headers=lead).json()["items"] == []
