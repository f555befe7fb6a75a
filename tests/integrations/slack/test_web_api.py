"""The Web API through the real slack-sdk WebClient: happy paths and Slack's error shapes."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from integrations.slack.emulator import SlackEmulator

from .conftest import Team

BUTTONS = [
    {
        "type": "section",
        "text": {"type": "mrkdwn", "text": "*Checkout* drop-off: fix the promo field"},
    },
    {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Done"},
                "action_id": "done",
                "value": "a-1",
            },
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Open ticket"},
                "url": "https://jira.example/CX-1",
            },
        ],
    },
]


def test_lookup_open_post_update_round_trip(emulator: SlackEmulator, team: Team, client: WebClient) -> None:
    user = client.users_lookupByEmail(email="ANA@example.com")["user"]
    assert user["id"] == team.ana.id and user["profile"]["email"] == "ana@example.com"
    assert user["team_id"] == emulator.team_id and user["deleted"] is False

    opened = client.conversations_open(users=user["id"])
    dm = opened["channel"]["id"]
    assert dm.startswith("D") and opened["already_open"] is False
    assert client.conversations_open(users=user["id"])["channel"]["id"] == dm  # idempotent

    posted = client.chat_postMessage(channel=dm, text="Checkout drop-off", blocks=BUTTONS)
    assert posted["channel"] == dm
    assert re.fullmatch(r"\d{10}\.\d{6}", posted["ts"])
    assert posted["message"]["text"] == "Checkout drop-off"
    assert posted["message"]["bot_id"] == emulator.workspace.bot_id
    # Slack fills in block_id / action_id where the app left them out.
    assert all(b["block_id"] for b in posted["message"]["blocks"])
    assert posted["message"]["blocks"][1]["elements"][1]["action_id"]

    updated = client.chat_update(
        channel=dm, ts=posted["ts"], text="Checkout drop-off (done)", blocks=BUTTONS[:1]
    )
    assert (updated["channel"], updated["ts"], updated["text"]) == (
        dm,
        posted["ts"],
        "Checkout drop-off (done)",
    )

    [stored] = emulator.messages_for_user(team.ana.id)
    assert stored.text == "Checkout drop-off (done)" and len(stored.blocks or []) == 1
    assert [e.text for e in stored.edits] == ["Checkout drop-off"]
    assert stored.edits[0].by == "chat.update" and len(stored.edits[0].blocks or []) == 2

    assert emulator.request_counts["chat.postMessage"] == 1
    assert emulator.request_counts["conversations.open"] == 2


def test_channel_forms_and_timestamps(emulator: SlackEmulator, team: Team, client: WebClient) -> None:
    by_name = client.chat_postMessage(channel="#cx-findings", text="one")
    by_id = client.chat_postMessage(channel=team.cx.id, text="two", thread_ts=by_name["ts"])
    to_user = client.chat_postMessage(channel=team.ben.id, text="hi Ben")  # a user id lands in the DM
    assert by_name["channel"] == by_id["channel"] == team.cx.id
    assert to_user["channel"].startswith("D")
    assert float(by_name["ts"]) < float(by_id["ts"]) < float(to_user["ts"])
    assert [(m.text, m.thread_ts) for m in emulator.messages_in_channel("#cx-findings")] == [
        ("one", None),
        ("two", by_name["ts"]),
    ]
    assert [m.text for m in emulator.messages_for_user(team.ben.id)] == ["hi Ben"]


def test_json_and_form_bodies_are_both_accepted(
    emulator: SlackEmulator, team: Team, client: WebClient
) -> None:
    # slack-sdk sends users.lookupByEmail as a form; the real API takes JSON for it too.
    assert (
        client.api_call("users.lookupByEmail", json={"email": "ben@example.com"})["user"]["id"] == team.ben.id
    )
    # ... and chat.postMessage as JSON; as a form, blocks arrive as a JSON string.
    import json

    posted = client.api_call(
        "chat.postMessage", params={"channel": team.cx.id, "blocks": json.dumps(BUTTONS)}
    )
    assert posted["message"]["blocks"][0]["text"]["text"].startswith("*Checkout*")


def test_other_read_methods(emulator: SlackEmulator, team: Team, client: WebClient) -> None:
    me = client.auth_test()
    assert me["user_id"] == emulator.workspace.bot_user_id and me["team_id"] == emulator.team_id
    info = client.users_info(user=team.gone.id)["user"]
    assert info["deleted"] is True and info["tz"] == "Europe/London"
    channel = client.conversations_info(channel=team.old.id)["channel"]
    assert channel["is_archived"] is True and channel["name"] == "old-programme"
    eph = client.chat_postEphemeral(channel=team.cx.id, user=team.ana.id, text="only you")
    assert eph["message_ts"]
    assert [m.text for m in emulator.ephemeral_for_user(team.ana.id)] == ["only you"]


@pytest.mark.parametrize(
    ("token", "error"),
    [
        (None, "not_authed"),
        ("xoxb-unknown", "invalid_auth"),
        ("revoked", "token_revoked"),
        ("inactive", "account_inactive"),
    ],
)
def test_auth_errors(emulator: SlackEmulator, token: str | None, error: str) -> None:
    if token in ("revoked", "inactive"):
        token = f"xoxb-{token}"
        emulator.add_token(token)
        (emulator.revoke_token if "revoked" in token else emulator.deactivate_token)(token)
    client = WebClient(token, base_url=emulator.url + "/api/", retry_handlers=[])
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="#anything", text="x")
    assert raised.value.response.status_code == 200
    assert raised.value.response["ok"] is False
    assert raised.value.response["error"] == error


Call = Callable[[WebClient, Team], Any]
ERRORS: list[tuple[str, Call]] = [
    ("channel_not_found", lambda c, t: c.chat_postMessage(channel="C404", text="x")),
    ("channel_not_found", lambda c, t: c.chat_postMessage(channel="#nope", text="x")),
    ("not_in_channel", lambda c, t: c.chat_postMessage(channel=t.private.id, text="x")),
    ("is_archived", lambda c, t: c.chat_postMessage(channel=t.old.id, text="x")),
    ("no_text", lambda c, t: c.chat_postMessage(channel=t.cx.id)),
    (
        "invalid_blocks",
        lambda c, t: c.chat_postMessage(channel=t.cx.id, text="x", blocks=[{"text": "no type"}]),
    ),
    (
        "invalid_blocks",
        lambda c, t: c.chat_postMessage(channel=t.cx.id, text="x", blocks=[{"type": "divider"}] * 51),
    ),
    (
        "invalid_blocks",
        lambda c, t: c.chat_postMessage(channel=t.cx.id, text="x", blocks=["not an object"]),
    ),
    (
        "invalid_blocks",
        lambda c, t: c.chat_postMessage(channel=t.cx.id, text="x", blocks=[{"type": "section"}]),
    ),
    (
        "invalid_blocks_format",
        lambda c, t: c.chat_postMessage(channel=t.cx.id, text="x", blocks={"type": "section"}),
    ),
    ("users_not_found", lambda c, t: c.users_lookupByEmail(email="nobody@example.com")),
    ("user_not_found", lambda c, t: c.users_info(user="U404")),
    ("user_not_found", lambda c, t: c.conversations_open(users="U404")),
    ("user_disabled", lambda c, t: c.conversations_open(users=t.gone.id)),
    (
        "message_not_found",
        lambda c, t: c.chat_update(channel=t.cx.id, ts="1700000000.000100", text="x"),
    ),
    ("channel_not_found", lambda c, t: c.conversations_info(channel="C404")),
    (
        "user_not_in_channel",
        lambda c, t: c.chat_postEphemeral(channel=t.cx.id, user=t.gone.id, text="x"),
    ),
    ("unknown_method", lambda c, t: c.api_call("chat.nope")),
]


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
@pytest.mark.parametrize(("error", "call"), ERRORS, ids=[f"{i}-{e}" for i, (e, _) in enumerate(ERRORS)])
def test_error_shapes(client: WebClient, team: Team, error: str, call: Call) -> None:
    with pytest.raises(SlackApiError) as raised:
        call(client, team)
    assert raised.value.response.status_code == 200
    assert raised.value.response.data == {**raised.value.response.data, "ok": False, "error": error}


def test_invalid_blocks_come_with_details(client: WebClient, team: Team) -> None:
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel=team.cx.id, text="x", blocks=[{"type": "section"}])
    assert "must provide either text or fields" in raised.value.response["errors"][0]


def test_cant_update_someone_elses_message(emulator: SlackEmulator, team: Team, client: WebClient) -> None:
    theirs = emulator.post_as_user(team.ana.id, team.cx.id, "written by Ana")
    with pytest.raises(SlackApiError) as raised:
        client.chat_update(channel=team.cx.id, ts=theirs.ts, text="x")
    assert raised.value.response["error"] == "cant_update_message"


def test_deactivated_person_dm(emulator: SlackEmulator, team: Team, client: WebClient) -> None:
    # Real Slack accepts a post to a deactivated person (it is simply never read) ...
    assert client.chat_postMessage(channel=team.gone.id, text="hello?")["ok"]
    # ... a test can make that loud, as the adapter should by checking users.info first.
    emulator.deleted_user_post_error = "account_inactive"
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel=team.gone.id, text="hello?")
    assert raised.value.response["error"] == "account_inactive"


def test_every_call_is_recorded(emulator: SlackEmulator, team: Team, client: WebClient) -> None:
    client.chat_postMessage(channel=team.cx.id, text="hello")
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C404", text="x")
    assert [(c.method, c.args.get("channel"), c.error) for c in emulator.calls] == [
        ("chat.postMessage", team.cx.id, None),
        ("chat.postMessage", "C404", "channel_not_found"),
    ]
    assert emulator.request_counts == {"chat.postMessage": 2}
    assert emulator.internal_errors == []
