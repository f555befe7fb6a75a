"""Webhooks and Slack requests refused for their signature are counted per source and hour,
cheaply: a flood adds to one row and writes it at most every few seconds."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests import factories
from tests.conftest import Database
from tests.factories.health import JIRA, health_settings
from tracker.app import create_app
from tracker.health.models import InboundRejection
from tracker.health.rejections import KEEP, RejectionTally, add_rejections, hour_of
from tracker.people.models import Role
from tracker.types import utcnow


def test_the_tally_writes_a_source_at_most_every_interval() -> None:
    clock = [100.0]
    tally = RejectionTally(write_every=10, clock=lambda: clock[0])
    assert tally.note("jira:a") == 1  # the first is written at once
    assert [tally.note("jira:a") for _ in range(3)] == [0, 0, 0]
    assert tally.note("github:b") == 1  # each source on its own
    assert tally.unwritten() == {"jira:a": 3}
    clock[0] = 110.0
    assert tally.note("jira:a") == 4 and tally.unwritten() == {}
    tally.give_back("jira:a", 4)  # the write failed: counted again, written with the next one
    assert tally.note("jira:a") == 5


def test_rows_are_one_per_source_and_hour_and_old_ones_go(session: Session) -> None:
    now = utcnow()
    for _ in range(3):
        add_rejections(session, source="jira:a", count=2, now=now)
    session.add(InboundRejection(source="jira:a", hour=hour_of(now) - KEEP - timedelta(hours=1), count=9))
    session.flush()
    add_rejections(session, source="jira:a", count=1, now=now + timedelta(hours=1))  # a new hour prunes
    rows = session.execute(select(InboundRejection.hour, InboundRejection.count).where(
        InboundRejection.source == "jira:a").order_by(InboundRejection.hour)).all()
    assert [tuple(r) for r in rows] == [(hour_of(now), 6), (hour_of(now + timedelta(hours=1)), 1)]


@pytest.fixture
def client(database: Database, session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    app = create_app(health_settings(database.url), session_factory=session_factory)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def _rejected(session: Session) -> dict[str, int]:
    session.expire_all()
    return {r.source: r.count for r in session.scalars(select(InboundRejection))}


def test_bad_signatures_are_counted_and_shown(client: TestClient, session: Session) -> None:
    for _ in range(3):
        r = client.post(f"/webhooks/jira/{JIRA}", content=b'{"webhookEvent": "jira:issue_updated"}',
                        headers={"X-Hub-Signature": "sha256=00", "Content-Type": "application/json"})
        assert r.status_code == 401, r.text
    r = client.post("/slack/commands", content=b"command=%2Ftracker&text=mine",
                    headers={"X-Slack-Signature": "v0=00", "X-Slack-Request-Timestamp": "1",
                             "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 401
    # The first of each source is written at once; the rest wait in this process's tally.
    assert _rejected(session) == {f"jira:{JIRA}": 1, "slack": 1}
    lead = factories.auth_headers(session, factories.person(session, Role.lead))
    health = client.get("/integration-health", headers=lead).json()
    hooks = {c["name"]: c["webhooks"] for c in health["connections"]}
    assert hooks[JIRA]["rejected"] == 3 and hooks["slack"]["rejected"] == 1
    assert hooks[JIRA]["received"] == 0


def test_an_unknown_source_writes_nothing(client: TestClient, session: Session) -> None:
    for path in ("/webhooks/jira/no_such_connection", "/webhooks/gitlab/acme", f"/webhooks/github/{JIRA}"):
        r = client.post(path, content=b"{}", headers={"X-Hub-Signature": "sha256=00"})
        assert r.status_code == 404, (path, r.status_code)
    assert _rejected(session) == {}
