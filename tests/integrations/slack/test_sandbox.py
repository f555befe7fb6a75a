"""The sandbox page, button clicks, slash commands and response URLs, end to end over HTTP."""

from __future__ import annotations

import html
import json
import time
from typing import Any

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from integrations.emulation import Response
from integrations.slack.emulator import SlackEmulator

from .conftest import SECRET, App, Received, Team

NUDGE = [
    {"type": "header", "text": {"type": "plain_text", "text": "2 actions are overdue"}},
    {
        "type": "section",
        "block_id": "item-7",
        "text": {
            "type": "mrkdwn",
            "text": "*Fix promo field* <https://jira.example/browse/CX-7|CX-7>",
        },
        "fields": [
            {"type": "mrkdwn", "text": "*Due*\n2 days ago"},
            {"type": "mrkdwn", "text": "*Owner*\n<@OWNER>"},
        ],
    },
    {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": "From finding _Checkout drop-off_"}],
    },
    {
        "type": "input",
        "block_id": "note",
        "optional": True,
        "label": {"type": "plain_text", "text": "Progress note"},
        "element": {"type": "plain_text_input", "action_id": "note_text"},
    },
    {
        "type": "actions",
        "block_id": "item-7-actions",
        "elements": [
            {
                "type": "button",
                "action_id": "mark_done",
                "value": "7",
                "style": "primary",
                "text": {"type": "plain_text", "text": "Mark done"},
            },
            {
                "type": "button",
                "action_id": "post_update",
                "value": "7",
                "text": {"type": "plain_text", "text": "Post update"},
            },
            {
                "type": "button",
                "action_id": "open_ticket",
                "url": "https://jira.example/browse/CX-7",
                "text": {"type": "plain_text", "text": "Open CX-7"},
            },
        ],
    },
]


@pytest.fixture
def web() -> httpx.Client:
    return httpx.Client(trust_env=False, timeout=5)


def post_nudge(client: WebClient, team: Team) -> dict[str, Any]:
    blocks = json.loads(json.dumps(NUDGE).replace("OWNER", team.ana.id))
    return client.chat_postMessage(channel=team.ana.id, text="2 actions are overdue", blocks=blocks).data  # type: ignore[return-value]


def post_json(url: str, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(url, json=body, trust_env=False, timeout=5)


def test_page_renders_block_kit_with_buttons(
    emulator: SlackEmulator, team: Team, client: WebClient, web: httpx.Client
) -> None:
    posted = post_nudge(client, team)
    client.chat_postMessage(channel="#cx-findings", text="Weekly digest: *3* shipped")
    page = web.get(emulator.url + "/sandbox")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert "Ana Silva" in text and "Ben Okafor" in text and "#cx-findings" in text
    assert "<h4>2 actions are overdue</h4>" in text
    assert "<b>Fix promo field</b>" in text
    assert '<a href="https://jira.example/browse/CX-7" target="_blank">CX-7</a>' in text
    assert "@Ana Silva" in text  # <@U...> mention rendered with the person's name
    assert "<i>Checkout drop-off</i>" in text  # context, mrkdwn italics
    assert "Weekly digest: <b>3</b> shipped" in text
    # Buttons post back with [block_id, action_id]; url buttons are links, not posts.
    assert f'value="{html.escape(json.dumps(["item-7-actions", "mark_done"]))}"' in text
    assert 'href="https://jira.example/browse/CX-7" target="_blank">Open CX-7' in text
    assert 'name="input:note_text"' in text
    assert f"name='ts' value='{posted['ts']}'" in text


def test_click_delivers_signed_block_actions_and_replace_original_updates(
    emulator: SlackEmulator, team: Team, client: WebClient, app: App, web: httpx.Client
) -> None:
    posted = post_nudge(client, team)

    def on_click(got: Received) -> Response:
        payload = got.payload()
        post_json(
            payload["response_url"],
            {
                "replace_original": True,
                "text": "Marked done by Ana",
                "blocks": [
                    {
                        "type": "section",
                        "text": {"type": "mrkdwn", "text": ":white_check_mark: *Done*"},
                    }
                ],
            },
        )
        return Response(200)

    app.reply = on_click
    form = {
        "channel": posted["channel"],
        "ts": posted["ts"],
        "as": team.ben.id,  # ignored in a DM: only its person can click there
        "action": json.dumps(["item-7-actions", "mark_done"]),
        "input:note_text": "promo field fixed in release 41",
    }
    clicked = web.post(emulator.url + "/sandbox/click", data=form)
    assert clicked.status_code == 303 and clicked.headers["location"].startswith("/sandbox?as=")

    [got] = app.received
    assert got.path == "/slack/interactivity"
    assert got.headers["content-type"] == "application/x-www-form-urlencoded"
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid_request(got.body, got.headers)
    assert not SignatureVerifier("another-secret").is_valid_request(got.body, got.headers)

    payload = got.payload()
    assert payload["type"] == "block_actions"
    assert payload["user"] == {
        "id": team.ana.id,
        "username": "ana",
        "name": "ana",
        "team_id": emulator.team_id,
    }
    assert payload["team"]["id"] == emulator.team_id and payload["api_app_id"] == emulator.app_id
    assert payload["container"] == {
        "type": "message",
        "message_ts": posted["ts"],
        "channel_id": posted["channel"],
        "is_ephemeral": False,
    }
    assert payload["channel"] == {"id": posted["channel"], "name": "directmessage"}
    assert payload["message"]["ts"] == posted["ts"] and payload["message"]["text"] == "2 actions are overdue"
    assert len(payload["message"]["blocks"]) == len(NUDGE)
    assert payload["trigger_id"] and payload["response_url"].startswith(emulator.url + "/response/")
    [action] = payload["actions"]
    assert {k: action[k] for k in ("action_id", "block_id", "value", "type")} == {
        "action_id": "mark_done",
        "block_id": "item-7-actions",
        "value": "7",
        "type": "button",
    }
    assert float(action["action_ts"]) > 0
    assert payload["state"]["values"] == {
        "note": {"note_text": {"type": "plain_text_input", "value": "promo field fixed in release 41"}}
    }

    stored = emulator.message(posted["channel"], posted["ts"])
    assert stored is not None and stored.text == "Marked done by Ana"
    assert [(e.text, e.by) for e in stored.edits] == [("2 actions are overdue", "response_url")]
    page = web.get(emulator.url + "/sandbox").text
    assert "<b>Done</b>" in page and "Fix promo field" not in page
    assert "block_actions" in page  # the deliveries log


def test_programmatic_click_and_response_url_rules(
    emulator: SlackEmulator, team: Team, client: WebClient, app: App
) -> None:
    posted = post_nudge(client, team)
    delivery = emulator.click(
        posted["channel"],
        posted["ts"],
        "post_update",
        user_id=team.ana.id,
        inputs={"note_text": "hi"},
    )
    assert delivery.ok and delivery.kind == "block_actions"
    response_url = app.received[-1].payload()["response_url"]

    assert post_json(response_url, {"text": "Only you see this"}).json() == {"ok": True}  # ephemeral default
    assert [m.text for m in emulator.ephemeral_for_user(team.ana.id)] == ["Only you see this"]
    assert (
        post_json(response_url, {"response_type": "in_channel", "text": "Update posted"}).status_code == 200
    )
    assert [m.text for m in emulator.messages_for_user(team.ana.id)] == [
        "2 actions are overdue",
        "Update posted",
    ]
    bad = post_json(response_url, {"replace_original": True, "blocks": [{"type": "nope"}]})
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_blocks"
    assert post_json(response_url, {"delete_original": True}).status_code == 200
    assert emulator.message(posted["channel"], posted["ts"]) is None
    assert post_json(response_url, {"text": "fifth use"}).json() == {"ok": True}
    assert post_json(response_url, {"text": "sixth use"}).json() == {
        "ok": False,
        "error": "used_url",
    }
    assert post_json(emulator.url + "/response/unknown", {"text": "x"}).status_code == 404


def test_slash_command_from_the_page(
    emulator: SlackEmulator, team: Team, app: App, web: httpx.Client
) -> None:
    def on_command(got: Received) -> Response:
        form = got.form()
        post_json(
            form["response_url"],
            {"response_type": "in_channel", "text": f"<@{form['user_id']}> asked for their items"},
        )
        reply = {
            "response_type": "ephemeral",
            "text": "You own 2 open actions",
            "blocks": [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": "mark_done",
                            "value": "9",
                            "text": {"type": "plain_text", "text": "Done"},
                        }
                    ],
                }
            ],
        }
        return Response(200, reply)

    app.reply = on_command
    sent = web.post(
        emulator.url + "/sandbox/slash",
        data={
            "user_id": team.ben.id,
            "channel_id": team.cx.id,
            "command": "/tracker",
            "text": "mine",
        },
    )
    assert sent.status_code == 303
    [got] = app.received
    assert SignatureVerifier(SECRET).is_valid_request(got.body, got.headers)
    form = got.form()
    assert {
        k: form[k]
        for k in (
            "team_id",
            "channel_id",
            "channel_name",
            "user_id",
            "user_name",
            "command",
            "text",
            "api_app_id",
        )
    } == {
        "team_id": emulator.team_id,
        "channel_id": team.cx.id,
        "channel_name": "cx-findings",
        "user_id": team.ben.id,
        "user_name": "ben",
        "command": "/tracker",
        "text": "mine",
        "api_app_id": emulator.app_id,
    }
    assert form["token"] and form["trigger_id"] and form["team_domain"] == emulator.team_domain

    [ephemeral] = emulator.ephemeral_for_user(team.ben.id)
    assert ephemeral.text == "You own 2 open actions" and ephemeral.channel == team.cx.id
    assert [m.text for m in emulator.messages_in_channel(team.cx.id)] == [
        f"<@{team.ben.id}> asked for their items"
    ]
    page = web.get(emulator.url + "/sandbox").text
    assert (
        "You own 2 open actions" in page and "only visible to Ben Okafor" in page and "/tracker mine" in page
    )

    # Buttons on the ephemeral reply work too: Slack marks the container ephemeral, omits `message`.
    app.reply = lambda got: Response(200)
    emulator.click(team.cx.id, ephemeral.ts, "mark_done", user_id=team.ben.id)
    payload = app.received[-1].payload()
    assert payload["container"]["is_ephemeral"] is True and "message" not in payload
    post_json(payload["response_url"], {"replace_original": True, "text": "Done"})
    assert [m.text for m in emulator.ephemeral_for_user(team.ben.id)] == ["Done"]


def test_slash_command_failures_show_like_slack(emulator: SlackEmulator, team: Team, app: App) -> None:
    app.reply = lambda got: Response(500, "boom")
    delivery = emulator.slash_command(team.ana.id, "mine")
    assert delivery.status == 500 and delivery.error == "http_service_error"
    [shown] = emulator.ephemeral_for_user(team.ana.id)
    assert shown.text == '/tracker failed with the error "http_service_error"'
    assert shown.channel == emulator.conversation(team.ana.id).id  # default: the app's DM


def test_sign_matches_slack_sdk_verifier(emulator: SlackEmulator) -> None:
    body = b"payload=%7B%7D"
    now = int(time.time())
    headers = emulator.sign(body)
    assert SignatureVerifier(SECRET).is_valid_request(body, headers)
    assert not SignatureVerifier(SECRET).is_valid_request(body + b"x", headers)
    stale = emulator.sign(body, timestamp=now - 600)
    assert not SignatureVerifier(SECRET).is_valid_request(body, stale)  # over 5 minutes off
    assert SignatureVerifier(SECRET, clock=_FixedClock(now - 600)).is_valid_request(body, stale)
    assert emulator.signature(body, now) == headers["X-Slack-Signature"] or now != int(
        headers["X-Slack-Request-Timestamp"]
    )


class _FixedClock:
    def __init__(self, at: int) -> None:
        self.at = at

    def now(self) -> float:
        return float(self.at)


def test_a_sandbox_click_shows_an_answer_the_app_sends_a_moment_later(
    emulator: SlackEmulator, team: Team, client: WebClient, app: App, web: httpx.Client
) -> None:
    import threading

    posted = post_nudge(client, team)

    def acknowledge_then_answer(got: Received) -> Response:
        # As the tracker does: an empty 200 at once, the redrawn message from its worker later.
        url = got.payload()["response_url"]
        answer = {"replace_original": True, "text": "Marked done by Ana", "blocks": []}
        threading.Timer(0.4, post_json, args=(url, answer)).start()
        return Response(200)

    app.reply = acknowledge_then_answer
    form = {"channel": posted["channel"], "ts": posted["ts"], "as": team.ana.id,
            "action": json.dumps(["item-7-actions", "mark_done"])}
    clicked = web.post(emulator.url + "/sandbox/click", data=form)
    assert clicked.status_code == 303
    # The page the browser is sent back to already shows the answer.
    stored = emulator.message(posted["channel"], posted["ts"])
    assert stored is not None and stored.text == "Marked done by Ana"
