"""Modals: views.open with a trigger_id from a click, view_submission back to the app."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier

from integrations.emulation import Response
from integrations.slack.emulator import SlackEmulator

from .conftest import SECRET, App, Received, Team

BUTTON = [
    {
        "type": "actions",
        "block_id": "item-7",
        "elements": [
            {
                "type": "button",
                "action_id": "post_update",
                "value": "7",
                "text": {"type": "plain_text", "text": "Post update"},
            }
        ],
    }
]
MODAL = {
    "type": "modal",
    "callback_id": "progress_update",
    "private_metadata": "action:7",
    "title": {"type": "plain_text", "text": "Progress update"},
    "submit": {"type": "plain_text", "text": "Post"},
    "blocks": [
        {
            "type": "input",
            "block_id": "update",
            "label": {"type": "plain_text", "text": "What changed?"},
            "element": {"type": "plain_text_input", "action_id": "update_text", "multiline": True},
        }
    ],
}


def open_modal_on_click(client: WebClient, app: App) -> None:
    def on_interaction(got: Received) -> Response:
        payload = got.payload()
        if payload["type"] == "block_actions":
            client.views_open(trigger_id=payload["trigger_id"], view=MODAL)
            return Response(200)
        # view_submission: insist on some text first, then accept (empty 200 closes the modal)
        text = payload["view"]["state"]["values"]["update"]["update_text"]["value"]
        if not text:
            return Response(200, {"response_action": "errors", "errors": {"update": "Say something"}})
        return Response(200)

    app.reply = on_interaction


def test_click_opens_modal_and_submission_reaches_the_app(
    emulator: SlackEmulator, team: Team, client: WebClient, app: App
) -> None:
    open_modal_on_click(client, app)
    posted = client.chat_postMessage(channel=team.ana.id, text="nudge", blocks=BUTTON)
    emulator.click(posted["channel"], posted["ts"], "post_update", user_id=team.ana.id)
    [view] = emulator.open_views(team.ana.id)
    assert view.spec["callback_id"] == "progress_update"

    web = httpx.Client(trust_env=False, timeout=5)
    page = web.get(emulator.url + "/sandbox").text
    assert "Progress update" in page and 'name="input:update_text"' in page

    # Submitting empty: the app answers response_action=errors, the modal stays with the message.
    web.post(emulator.url + "/sandbox/view", data={"view_id": view.id, "do": "submit"})
    assert emulator.open_views(team.ana.id) == [view] and view.errors == {"update": "Say something"}
    assert "Say something" in web.get(emulator.url + "/sandbox").text

    typed = {"view_id": view.id, "do": "submit", "input:update_text": "Shipped in 41"}
    web.post(emulator.url + "/sandbox/view", data=typed)
    assert emulator.open_views(team.ana.id) == []

    got = app.received[-1]
    assert SignatureVerifier(SECRET).is_valid_request(got.body, got.headers)
    payload = got.payload()
    assert payload["type"] == "view_submission"
    assert payload["user"]["id"] == team.ana.id and payload["team"]["id"] == emulator.team_id
    assert payload["view"]["id"] == view.id
    assert payload["view"]["callback_id"] == "progress_update"
    assert payload["view"]["private_metadata"] == "action:7"
    assert payload["view"]["state"]["values"] == {
        "update": {"update_text": {"type": "plain_text_input", "value": "Shipped in 41"}}
    }


def test_trigger_id_rules(emulator: SlackEmulator, team: Team, client: WebClient, app: App) -> None:
    triggers: list[str] = []
    app.reply = lambda got: (triggers.append(got.payload()["trigger_id"]), Response(200))[1]
    posted = client.chat_postMessage(channel=team.ana.id, text="nudge", blocks=BUTTON)
    for _ in range(2):
        emulator.click(posted["channel"], posted["ts"], "post_update", user_id=team.ana.id)

    def error_of(**kwargs: Any) -> str:
        with pytest.raises(SlackApiError) as raised:
            client.views_open(**kwargs)
        return str(raised.value.response["error"])

    assert error_of(trigger_id="made-up", view=MODAL) == "invalid_trigger_id"
    assert error_of(trigger_id=triggers[0], view={"type": "home"}) == "invalid_arguments"
    assert client.views_open(trigger_id=triggers[0], view=json.dumps(MODAL))["view"]["id"]
    assert error_of(trigger_id=triggers[0], view=MODAL) == "exchanged_trigger_id"
    emulator.interactions.triggers[triggers[1]] -= 10  # issued 10 s ago: Slack allows 3
    assert error_of(trigger_id=triggers[1], view=MODAL) == "expired_trigger_id"
