"""Block Kit limits real Slack refuses with `invalid_blocks`, enforced by the emulator and kept
by our builders. Through the real slack-sdk WebClient."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from integrations.slack import message_blocks
from tracker.messaging.ports import NudgeMessage

from .conftest import Team


def _button(**extra: Any) -> dict[str, Any]:
    return {"type": "button", "text": {"type": "plain_text", "text": "Go"}, "action_id": "go", **extra}


def _section_with_field(n: int) -> dict[str, Any]:
    return {"type": "section", "fields": [{"type": "mrkdwn", "text": "x" * n}]}


TOO_BIG: dict[str, list[dict[str, Any]]] = {
    "field text 2001": [_section_with_field(2001)],
    "26 actions elements": [{"type": "actions", "elements": [_button(action_id=f"a{i}") for i in range(26)]}],
    "action_id 256": [{"type": "actions", "elements": [_button(action_id="a" * 256)]}],
    "block_id 256": [{"type": "divider", "block_id": "b" * 256}],
    "button value 2001": [{"type": "actions", "elements": [_button(value="v" * 2001)]}],
    "button url 3001": [{"type": "actions", "elements": [_button(url="https://x.test/" + "u" * 2990)]}],
    "11 context elements": [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}],
    "51 blocks": [{"type": "divider"}] * 51,
}


@pytest.mark.parametrize("blocks", TOO_BIG.values(), ids=TOO_BIG.keys())
def test_slack_refuses_blocks_over_its_limits(client: WebClient, team: Team, blocks: list[dict[str, Any]]) -> None:
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel=team.cx.id, text="t", blocks=blocks)
    assert refused.value.response["error"] == "invalid_blocks"


def test_just_within_the_limits_is_accepted(client: WebClient, team: Team) -> None:
    blocks = [_section_with_field(2000),
              {"type": "actions", "block_id": "b" * 255,
               "elements": [_button(action_id=f"{i:0>255}", value="v" * 2000) for i in range(25)]},
              {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 10}]
    assert client.chat_postMessage(channel=team.cx.id, text="t", blocks=blocks)["ok"]


HOSTILE_TITLE = "&<>" * 200 + " <https://evil.test|click> <!channel>"


def _nudge(title: str, **extra: Any) -> NudgeMessage:
    values: dict[str, Any] = dict(
        kind="list", action_item_id=1, title=title, deadline=date(2026, 1, 1), phase="planned",
        next_phase=None, moment_title=None, owner_name="<!here> & co", days_to_deadline=-1,
        item_url="http://tracker.test/action-items/1", ticket_url=None, can_snooze=False)
    values.update(extra)
    return NudgeMessage(**values)


def _broken_escapes(text: str) -> list[str]:
    """`&` not starting &amp; &lt; &gt;, or a `<` that is not one of our links."""
    bad = re.findall(r"&(?!amp;|lt;|gt;)", text)
    bad += [m for m in re.findall(r"<[^>]*>?", text) if not m.startswith("<http://tracker.test/")]
    return bad


def test_tracker_mine_cuts_long_hostile_titles_before_escaping(client: WebClient, team: Team) -> None:
    reply = message_blocks.command_reply("Your open action items: 20", [_nudge(HOSTILE_TITLE)] * 20)
    texts = [b["text"]["text"] for b in reply["blocks"]]
    assert all(_broken_escapes(t) == [] for t in texts), texts
    assert client.chat_postMessage(channel=team.cx.id, text=reply["text"], blocks=reply["blocks"])["ok"]


def test_fallback_text_of_nudges_and_digests_is_escaped() -> None:
    text = message_blocks.nudge_text(_nudge("<!channel> <https://evil.test|click> &", note="<@U1>"))
    assert "<" not in text and ">" not in text and "& " not in text
