"""Sync tests run the real API, the real worker and the real SDKs against the emulators."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests import factories
from tests.sync.harness import Vendor, WebhookSink, fast_factory, make_vendor
from tracker.actions.models import ActionItem, Phase, Priority, TrainingRecord
from tracker.app import create_app
from tracker.config import Settings
from tracker.people.models import Role
from tracker.sync.models import TargetKind, TicketTarget
from tracker.wiring import webhook_codecs
from tracker.worker.main import build_worker
from tracker.worker.runner import Worker


@pytest.fixture(params=["jira", "github"])
def vendor(request: pytest.FixtureRequest) -> Iterator[Vendor]:
    v = make_vendor(request.param)
    yield v
    v.emulator.stop()


@pytest.fixture
def sink(vendor: Vendor) -> Iterator[WebhookSink]:
    s = WebhookSink()
    if vendor.kind == "jira":
        vendor.emulator.configure_webhooks(s.url, "webhook-secret-for-tests")
    else:
        vendor.emulator.configure_webhook(s.url, "webhook-secret-for-tests")
    yield s
    s.close()


@pytest.fixture
def sync_settings(database, vendor: Vendor) -> Settings:  # type: ignore[no-untyped-def]
    return Settings(database_url=database.url, base_url="http://tracker.test",
                    connections={vendor.connection_name: vendor.connection_settings()})


@pytest.fixture
def sync_client(sync_settings: Settings, session_factory) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    app = create_app(sync_settings, session_factory=session_factory, webhook_codecs=webhook_codecs())
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def worker(sync_settings: Settings, session_factory) -> Worker:  # type: ignore[no-untyped-def]
    w = build_worker(sync_settings, session_factory, factory=fast_factory, worker_id="test-worker")
    w.max_attempts = 3
    return w


class World:
    """A lead, an owner with vendor identities, a team whose target is the vendor's project."""

    def __init__(self, session: Any, vendor: Vendor) -> None:
        self.session = session
        self.vendor = vendor
        self.lead, self.lead_headers = factories.user(session, Role.lead)
        identity = {"jira_account_id": vendor.owner_identity} if vendor.kind == "jira" \
            else {"github_login": vendor.owner_identity}
        other = {"jira_account_id": vendor.other_identity} if vendor.kind == "jira" \
            else {"github_login": vendor.other_identity}
        self.owner, self.owner_headers = factories.user(session, Role.owner, **identity)
        self.other_owner = factories.person(session, Role.owner, **other)
        self.target = TicketTarget(name=f"{vendor.kind} target", kind=TargetKind(vendor.kind),
                                   connection=vendor.connection_name, project=vendor.project, mapping={})
        session.add(self.target)
        session.flush()
        self.team = factories.team(session, ticket_target_id=self.target.id)
        session.commit()

    def item(self, **fields: Any) -> ActionItem:
        values: dict[str, Any] = dict(title="Fix the VAT line on invoices", team_id=self.team.id,
                                      owner_id=self.owner.id, deadline=date.today() + timedelta(days=14),
                                      priority=Priority.high, phase=Phase.planned,
                                      description="Invoices show VAT twice for EU customers.")
        values.update(fields)
        item = ActionItem(**values)
        self.session.add(item)
        self.session.flush()
        self.session.add(TrainingRecord(action_item_id=item.id, needed=False))
        self.session.commit()
        return item


@pytest.fixture
def world(session, vendor: Vendor) -> World:  # type: ignore[no-untyped-def]
    return World(session, vendor)
