"""Deadlines through GitHub milestones, which GitHub keeps at midnight US-Pacific.

A due date must come back exactly as it was sent: through a re-read, a listing, a webhook
payload and the tracker's whole pull path, in summer (PDT, 07:00Z) and in winter (PST, 08:00Z).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from integrations.github.emulator import BOT_TOKEN, GitHubEmulator
from integrations.github.mapping import GitHubMapping
from tests import factories
from tests.integrations.github.conftest import REPO, Receiver
from tests.integrations.github.test_client import MILESTONES, fields, tickets
from tests.sync.harness import WEBHOOK_SECRET, WebhookSink, fast_factory
from tracker.actions.models import ActionItem, Phase, Priority, TrainingRecord
from tracker.activity.models import ActivityEntry
from tracker.app import create_app
from tracker.config import ConnectionSettings, Settings
from tracker.people.models import Role
from tracker.sync.inbound import queue_reconciliation
from tracker.sync.models import LinkState, TargetKind, TicketLink, TicketTarget
from tracker.wiring import webhook_codecs
from tracker.worker.main import build_worker

SUMMER, WINTER = date(2027, 7, 15), date(2027, 1, 15)
DATES = pytest.mark.parametrize(("due", "stored"), [
    (SUMMER, datetime(2027, 7, 15, 7, tzinfo=UTC)),  # midnight PDT
    (WINTER, datetime(2027, 1, 15, 8, tzinfo=UTC)),  # midnight PST
])


# -- the adapter -----------------------------------------------------------------------------------
@DATES
def test_a_due_date_comes_back_unchanged(
    emu: GitHubEmulator, receiver: Receiver, due: date, stored: datetime
) -> None:
    emu.configure_webhook(receiver.url, "secret")
    gt = tickets(emu)
    created = gt.create(fields(due=due), marker="m-1")
    milestone = emu.issue(REPO, 1).milestone
    assert milestone is not None and milestone.due_on == stored  # GitHub shows the wanted day
    assert created.due == due
    assert gt.fetch("1").due == due
    assert [t.due for t in tickets(emu).changed_since(None).tickets] == [due]
    emu.edit_issue(REPO, 1, by="bob", title="Renamed on GitHub")
    assert emu.drain_webhooks(5)
    payload = json.loads(receiver.received[-1].body)
    assert payload["issue"]["milestone"]["due_on"] == stored.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert gt.mapping.due(payload["issue"]) == due


@DATES
def test_a_milestone_dated_a_day_early_is_repaired_on_reuse(
    emu: GitHubEmulator, due: date, stored: datetime
) -> None:
    # What a client sending `D T00:00:00Z` left behind: "Due D" shown by GitHub on the day before.
    number = emu.add_milestone(REPO, f"Due {due.isoformat()}", datetime.combine(due, datetime.min.time(), UTC))
    assert emu.milestone(REPO, number).due_on != stored
    gt = tickets(emu)
    ticket = gt.create(fields(due=due), marker="m-1")
    assert emu.milestone(REPO, number).due_on == stored
    assert ticket.due == due and gt.fetch("1").due == due
    assert emu.calls[("PATCH", MILESTONES + "/{number}")] == 1
    gt.create(fields(due=due), marker="m-2")  # repaired once, then plainly reused
    assert emu.calls[("PATCH", MILESTONES + "/{number}")] == 1


@pytest.mark.parametrize("due_on", [
    "2027-07-15T07:00:00Z", "2027-01-15T08:00:00Z",  # GitHub's Pacific midnight
    "2027-07-15T00:00:00Z", "2027-01-15T00:00:00Z",  # UTC midnight (other servers, old data)
    "2027-07-15T00:00:00-07:00",
])
def test_due_on_is_read_as_the_nearest_pacific_midnight(due_on: str) -> None:
    issue: dict[str, Any] = {"milestone": {"title": "Sprint", "due_on": due_on}}
    assert GitHubMapping.from_overrides({}).due(issue) == date.fromisoformat(due_on[:10])


# -- the whole pull path: push, a person's edit coming back by webhook, reconciliation -----------
@pytest.fixture
def github() -> Iterator[GitHubEmulator]:
    emulator = GitHubEmulator(repos=[REPO], users=["octocat", "bob-gh"]).start()
    yield emulator
    emulator.stop()


@pytest.fixture
def sink(github: GitHubEmulator) -> Iterator[WebhookSink]:
    s = WebhookSink()
    github.configure_webhook(s.url, WEBHOOK_SECRET)
    yield s
    s.close()


def _settings(database: Any, github: GitHubEmulator) -> Settings:
    connection = ConnectionSettings(kind="github", url=github.api_url, token=BOT_TOKEN,
                                    webhook_secret=WEBHOOK_SECRET, bot_identity="tracker-bot")
    return Settings(database_url=database.url, base_url="http://tracker.test",
                    connections={"gh": connection})


def _forward(client: TestClient, github: GitHubEmulator, sink: WebhookSink) -> None:
    github.drain_webhooks(5)
    for headers, body in sink.take():
        kept = {k: v for k, v in headers.items()
                if k.lower() in ("content-type", "x-hub-signature-256", "x-github-event", "x-github-delivery")}
        assert client.post("/webhooks/github/gh", content=body, headers=kept).status_code in (200, 202)


@pytest.mark.parametrize("due", [SUMMER, WINTER])
def test_pulling_a_pushed_deadline_changes_nothing(
    database: Any, session: Session, session_factory: sessionmaker[Session], github: GitHubEmulator,
    sink: WebhookSink, due: date,
) -> None:
    settings = _settings(database, github)
    lead, lead_headers = factories.user(session, Role.lead)
    owner = factories.person(session, Role.owner, github_login="bob-gh")
    target = TicketTarget(name="gh target", kind=TargetKind.github, connection="gh", project=REPO, mapping={})
    session.add(target)
    session.flush()
    team = factories.team(session, ticket_target_id=target.id)
    item = ActionItem(title="Fix the VAT line", team_id=team.id, owner_id=owner.id, deadline=due,
                      priority=Priority.high, phase=Phase.planned, description="VAT shows twice.")
    session.add(item)
    session.flush()
    session.add(TrainingRecord(action_item_id=item.id, needed=False))
    session.commit()
    worker = build_worker(settings, session_factory, factory=fast_factory, worker_id="test-worker")
    app = create_app(settings, session_factory=session_factory, webhook_codecs=webhook_codecs())
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.post(f"/action-items/{item.id}/ticket", headers=lead_headers).status_code == 202
        worker.run_until_idle()
        _forward(client, github, sink)  # our own create: an echo
        link = session.scalar(select(TicketLink).where(TicketLink.action_item_id == item.id))
        assert link is not None and link.state is LinkState.linked and link.remote_key == "1"
        github.edit_issue(REPO, 1, by="octocat", title="VAT shown once")  # a person, on GitHub
        _forward(client, github, sink)
        worker.run_until_idle()
        queue_reconciliation(session)
        session.commit()
        worker.run_until_idle()
    session.expire_all()
    stored = session.get(ActionItem, item.id)
    assert stored is not None and (stored.title, stored.deadline) == ("VAT shown once", due)
    pulled = list(session.scalars(select(ActivityEntry).where(
        ActivityEntry.action_item_id == item.id, ActivityEntry.actor_label.like("github:%"))))
    assert [e.changes for e in pulled if e.action == "updated"] and not [
        e for e in pulled if "deadline" in e.changes or e.action.startswith("sync_")]
    link = session.scalar(select(TicketLink).where(TicketLink.action_item_id == item.id))
    assert link is not None and link.dirty_fields == [] and link.snapshot["due"] == due.isoformat()
