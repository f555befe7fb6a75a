"""What reaches the Slack endpoints from outside: Slack's unsigned
SSL check, replayed signed requests, payloads nested too deeply."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from integrations.slack.emulator import SlackEmulator
from tests.factories.slack import SlackWorld
from tests.slack.conftest import Relay, apply_clicks, outbox
from tests.slack.test_interactivity import _posted
from tracker.actions.models import ProgressUpdate
from tracker.worker.runner import Worker


def test_slacks_unsigned_ssl_check_gets_200_and_nothing_else_unsigned_does(slack_client: TestClient) -> None:
    check = b"ssl_check=1&token=emulator-verification-token"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert slack_client.post("/slack/commands", content=check, headers=form).status_code == 200
    assert slack_client.post("/slack/interactivity", content=check, headers=form).status_code == 401
    command = b"ssl_check=1&user_id=U1&command=%2Ftracker&text=mine"  # a command in disguise
    assert slack_client.post("/slack/commands", content=command, headers=form).status_code == 401
    assert slack_client.post("/slack/commands", content=b"user_id=U1&text=mine", headers=form).status_code == 401


def test_a_signed_payload_nested_too_deeply_is_a_4xx(emulator: SlackEmulator, slack_client: TestClient) -> None:
    body = urlencode({"payload": "[" * 30_000 + "]" * 30_000}).encode()
    response = slack_client.post("/slack/interactivity", content=body, headers=emulator.sign(body))
    assert response.status_code == 422, response.text


def test_a_replayed_post_an_update_stores_the_note_once(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, relay: Relay, session: Session,
    slack_client: TestClient,
) -> None:
    item = world.item()
    message = _posted(world, worker, item)
    owner = world.owner.slack_user_id or ""
    delivery = emulator.click(message.channel, message.ts, "update", user_id=owner,
                              inputs={"update_text": "Copy fixed"})
    assert delivery.ok
    # The same signed request again, well inside the five-minute window.
    replayed = {k: v for k, v in delivery.headers.items() if k.lower() != "content-length"}
    assert slack_client.post("/slack/interactivity", content=delivery.body, headers=replayed).status_code == 200
    assert len(outbox(session, "slack.interaction")) == 2  # both stored; the key applies one
    apply_clicks(worker)
    notes = session.scalars(select(ProgressUpdate.note).where(ProgressUpdate.action_item_id == item.id)).all()
    assert notes == ["Copy fixed"]
    # A second, real press of the button is a new action and is applied.
    emulator.click(message.channel, message.ts, "update", user_id=owner, inputs={"update_text": "Copy fixed"})
    apply_clicks(worker)
    session.expire_all()
    assert len(session.scalars(select(ProgressUpdate).where(ProgressUpdate.action_item_id == item.id)).all()) == 2
