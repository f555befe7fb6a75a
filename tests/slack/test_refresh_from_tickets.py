"""A change that arrives from a Jira ticket re-renders the Slack messages about the item.

Three emulators' worth of real clients: the Jira emulator (driven by a person in its UI, its
webhook replayed into the app), the tracker's worker pulling the ticket with the `jira` package,
and the Slack emulator updated through slack-sdk.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session

from integrations.slack.emulator import SlackEmulator
from tests import factories
from tests.factories.slack import SlackWorld
from tests.slack.conftest import SECRET, TOKEN
from tests.sync.harness import Vendor, WebhookSink, fast_factory, make_vendor
from tests.sync.test_roundtrip import forward_webhooks
from tracker.actions.models import ActionItem, Phase
from tracker.actions.service import change_phase
from tracker.app import create_app
from tracker.config import Settings, SlackSettings
from tracker.sync.models import TargetKind, TicketLink, TicketTarget
from tracker.wiring import webhook_codecs
from tracker.worker.main import build_worker
from tracker.worker.runner import Worker


@pytest.fixture
def jira() -> Iterator[Vendor]:
    vendor = make_vendor("jira")
    yield vendor
    vendor.emulator.stop()


@pytest.fixture
def sink(jira: Vendor) -> Iterator[WebhookSink]:
    s = WebhookSink()
    jira.emulator.configure_webhooks(s.url, "webhook-secret-for-tests")
    yield s
    s.close()


@pytest.fixture
def both_settings(database, emulator: SlackEmulator, jira: Vendor) -> Settings:  # type: ignore[no-untyped-def]
    return Settings(database_url=database.url, base_url="http://tracker.test", outbox_backoff_scale=0.001,
                    connections={jira.connection_name: jira.connection_settings()},
                    slack=SlackSettings(bot_token=SecretStr(TOKEN), signing_secret=SecretStr(SECRET),
                                        base_url=emulator.url + "/api/"))


@pytest.fixture
def client(both_settings: Settings, session_factory) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    app = create_app(both_settings, session_factory=session_factory, webhook_codecs=webhook_codecs())
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def both_worker(both_settings: Settings, session_factory) -> Worker:  # type: ignore[no-untyped-def]
    w = build_worker(both_settings, session_factory, factory=fast_factory, worker_id="tickets-and-slack")
    w.max_attempts = 3
    return w


def _buttons(blocks: list[dict[str, Any]] | None) -> list[str]:
    return [e["text"]["text"] for b in blocks or [] if b["type"] == "actions" for e in b["elements"]]


def test_an_item_closed_from_its_jira_ticket_updates_the_slack_message(
    world: SlackWorld, emulator: SlackEmulator, jira: Vendor, sink: WebhookSink, client: TestClient,
    both_worker: Worker, session: Session,
) -> None:
    target = TicketTarget(name="jira target", kind=TargetKind.jira, connection=jira.connection_name,
                          project=jira.project, mapping={})
    session.add(target)
    session.flush()
    world.team.ticket_target_id = target.id
    world.owner.jira_account_id = jira.owner_identity
    session.commit()
    item = world.item()
    change_phase(session, actor=world.lead, item_id=item.id, to="implementing", expected_version=None)
    session.commit()
    lead_headers = factories.auth_headers(session, world.lead)
    assert client.post(f"/action-items/{item.id}/ticket", headers=lead_headers).status_code == 202
    both_worker.run_until_idle()  # the ticket is created
    forward_webhooks(client, jira, sink)  # our own create comes back: an echo

    world.nudge(item)
    both_worker.run_until_idle()
    [message] = emulator.messages_for_user(world.owner.slack_user_id or "")
    assert "Mark closing the loop" in _buttons(message.blocks)

    key = session.scalar(select(TicketLink.remote_key).where(TicketLink.action_item_id == item.id))
    jira.close(key)  # a person closes the ticket in Jira
    forward_webhooks(client, jira, sink)
    both_worker.run_until_idle()  # pull the ticket, apply it, then refresh the message

    session.expire_all()
    assert session.get(ActionItem, item.id).phase is Phase.done  # type: ignore[union-attr]
    shown = emulator.message(message.channel, message.ts)
    assert shown is not None
    assert _buttons(shown.blocks) == ["Open ticket"]
    assert shown.text.startswith("Done: ") and "in Jira" in json.dumps(shown.blocks)  # done, from the ticket
    updates = [c for c in emulator.calls if c.method == "chat.update" and c.args.get("ts") == message.ts]
    assert len(updates) == 1  # closing walks two phases; one chat.update shows the end
