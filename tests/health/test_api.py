"""`/integration-health` for scripts: the page's figures as JSON, and retries by id or all at once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests import factories
from tests.conftest import Database
from tests.factories.health import JIRA, TOKEN, HealthWorld, health_settings
from tracker.app import create_app
from tracker.outbox.models import OutboxMessage, OutboxState
from tracker.people.models import Role
from tracker.types import utcnow


@pytest.fixture
def client(database: Database, session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    app = create_app(health_settings(database.url), session_factory=session_factory)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_the_summary_as_json(client: TestClient, session: Session) -> None:
    world = HealthWorld.build(session, utcnow())
    r = client.get("/integration-health", headers=factories.auth_headers(session, world.lead))
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    jira = next(c for c in body["connections"] if c["name"] == JIRA)
    assert (jira["status"], jira["backlog"], jira["waiting"], jira["dead"], jira["broken_links"]) == (
        "attention", 3, 1, 1, 1)
    assert jira["webhooks"]["received"] == 2 and jira["targets"][0]["watermark"] == "2026-12-01T08:00:00Z"
    assert [m["id"] for m in body["dead"]] == [world.dead_nudge.id, world.dead_sync.id]
    assert body["broken"][0]["item_id"] == world.broken.id
    assert TOKEN not in r.text


def test_retry_one_then_all(client: TestClient, session: Session) -> None:
    world = HealthWorld.build(session, utcnow())
    lead = factories.auth_headers(session, world.lead)
    one = client.post("/integration-health/retry", json={"message_id": world.dead_sync.id}, headers=lead)
    assert one.status_code == 202, one.text
    assert one.json() == {"retried": [{"message_id": world.dead_sync.id, "kind": "ticket.sync",
                                       "item_id": world.broken.id, "link_resumed": True}], "still_dead": 1}
    again = client.post("/integration-health/retry", json={"message_id": world.dead_sync.id}, headers=lead)
    assert again.status_code == 409 and again.json()["error"]["field"] == "message_id"
    rest = client.post("/integration-health/retry", json={"all": True}, headers=lead)
    assert rest.status_code == 202 and [r["message_id"] for r in rest.json()["retried"]] == [world.dead_nudge.id]
    session.expire_all()
    assert session.get(OutboxMessage, world.dead_nudge.id).state is OutboxState.pending  # type: ignore[union-attr]


@pytest.mark.parametrize("body", [{}, {"all": False}, {"message_id": 3, "all": True}, {"all": "yes"},
                                  {"message_id": True}, {"message_id": 0}, {"message_id": 1, "extra": 1}])
def test_a_bad_request_is_refused_naming_what_is_wrong(client: TestClient, session: Session,
                                                      body: dict[str, Any]) -> None:
    lead = factories.auth_headers(session, factories.person(session, Role.lead))
    r = client.post("/integration-health/retry", json=body, headers=lead)
    assert r.status_code == 422, (body, r.text)
    assert r.json()["error"]["message"]


@pytest.mark.parametrize("role", [Role.owner, Role.viewer])
def test_owners_and_viewers_are_refused(client: TestClient, session: Session, role: Role) -> None:
    world = HealthWorld.build(session, utcnow())
    headers = factories.auth_headers(session, factories.person(session, role))
    assert client.get("/integration-health", headers=headers).status_code == 403
    assert client.post("/integration-health/retry", json={"all": True}, headers=headers).status_code == 403
    session.expire_all()
    assert session.get(OutboxMessage, world.dead_sync.id).state is OutboxState.dead  # type: ignore[union-attr]
