"""Reading what Slack sends us: the v0 signature, block_actions / view_submission payloads and
slash-command forms, as the port's `Interaction` (pure functions; no I/O, no database).

Button ids (set in message_blocks.py): `advance`, `update`, `snooze`, `open_ticket`, with the item
id as `value`. `Interaction.raw` holds the payload plus, for nudge buttons, `shown_phase` and
`promised_phase` (read from the actions block id) so the service can tell a stale click.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from slack_sdk.signature import Clock, SignatureVerifier

from integrations.slack import message_blocks
from tracker.messaging.ports import Interaction, NudgeMessage

BUTTONS = frozenset({"advance", "update", "snooze", "open_ticket"})
COMMANDS = frozenset({"mine", "overdue", "help"})
UPDATE_CALLBACK = "tracker_update"  # a modal's callback_id; private_metadata carries the item


class BadRequest(ValueError):
    """Signed by Slack but not something we understand."""


def _form(body: bytes) -> dict[str, str]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest("the body is not UTF-8") from exc
    return {k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()}


def _item_id(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 12 else None


def _typed_text(state: Mapping[str, Any]) -> str | None:
    """What the person typed into the update box (any plain_text_input of ours)."""
    values = state.get("values") if isinstance(state, Mapping) else None
    if not isinstance(values, Mapping):
        return None
    for block_id in (message_blocks.UPDATE_BLOCK, *values):
        block = values.get(block_id)
        if isinstance(block, Mapping):
            entry = block.get(message_blocks.UPDATE_INPUT)
            if isinstance(entry, Mapping) and isinstance(entry.get("value"), str):
                return entry["value"]
    return None


class SlackInteractionCodec:
    """The InteractionCodec port for Slack. `clock` is for tests of the five-minute window."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock or Clock()

    def verify(self, signing_secret: str, headers: Mapping[str, str], body: bytes) -> bool:
        """v0 HMAC-SHA256 over "v0:{timestamp}:{body}", timestamp within five minutes."""
        if not signing_secret:
            return False
        try:
            return SignatureVerifier(signing_secret, clock=self.clock).is_valid_request(body, dict(headers))
        except (ValueError, TypeError):
            return False  # a timestamp that is not a number

    def parse_interaction(self, body: bytes) -> Interaction:
        raw = _form(body).get("payload")
        if not raw:
            raise BadRequest("no payload field")
        try:
            payload = json.loads(raw)
        except ValueError as exc:
            raise BadRequest("payload is not JSON") from exc
        except RecursionError:  # nested deeper than the parser's stack
            raise BadRequest("payload is nested too deeply") from None
        if not isinstance(payload, dict) or not isinstance(payload.get("user"), dict):
            raise BadRequest("payload has no user")
        kind = payload.get("type")
        if kind == "block_actions":
            return self._block_actions(payload)
        if kind == "view_submission":
            return self._view_submission(payload)
        raise BadRequest(f"unsupported interaction type {kind!r}")

    def _block_actions(self, payload: dict[str, Any]) -> Interaction:
        actions = payload.get("actions") or []
        action = actions[0] if actions and isinstance(actions[0], dict) else {}
        action_id = str(action.get("action_id") or "")
        container = payload.get("container") or {}
        extra: dict[str, Any] = {"payload": payload}
        # A replayed request repeats the action's own timestamp; a second press gets a new one.
        extra["dedup_key"] = ":".join(["button", str(payload["user"].get("id") or ""),
                                       str(action.get("action_ts") or ""), str(container.get("message_ts") or ""),
                                       action_id])[:200] if action.get("action_ts") else None
        parsed = message_blocks.parse_actions_block_id(str(action.get("block_id") or ""))
        if parsed is not None:
            extra["shown_phase"], extra["promised_phase"] = parsed[1], parsed[2]
        return Interaction(
            kind="button",
            action=action_id if action_id in BUTTONS else "unknown",
            slack_user_id=str(payload["user"].get("id") or ""),
            action_item_id=_item_id(action.get("value")),
            text=_typed_text(payload.get("state") or {}),
            channel=container.get("channel_id") or (payload.get("channel") or {}).get("id"),
            message_ts=container.get("message_ts"),
            response_url=payload.get("response_url"),
            trigger_id=payload.get("trigger_id"),
            raw=extra,
        )

    def _view_submission(self, payload: dict[str, Any]) -> Interaction:
        """A modal "post an update" (private_metadata: {"item", "channel", "ts"})."""
        view = payload.get("view") or {}
        try:
            meta = json.loads(view.get("private_metadata") or "{}")
        except (ValueError, RecursionError):
            meta = {}
        meta = meta if isinstance(meta, dict) else {}
        return Interaction(
            kind="view_submission",
            action="update" if view.get("callback_id") == UPDATE_CALLBACK else "unknown",
            slack_user_id=str(payload["user"].get("id") or ""),
            action_item_id=_item_id(meta.get("item")),
            text=_typed_text(view.get("state") or {}),
            channel=meta.get("channel"),
            message_ts=meta.get("ts"),
            trigger_id=payload.get("trigger_id"),
            # A modal closes once submitted, so its view id (with the message it was opened
            # from) names the submission; a refused one stays open and is not recorded.
            raw={"payload": payload,
                 "dedup_key": f"view:{view.get('id')}:{meta.get('ts')}"[:200] if view.get("id") else None},
        )

    def parse_command(self, body: bytes) -> Interaction:
        form = _form(body)
        if not form.get("user_id"):
            raise BadRequest("no user_id")
        text = (form.get("text") or "").strip()
        word = text.split()[0].lower() if text else "help"
        return Interaction(
            kind="command",
            action=word if word in COMMANDS else "help",
            slack_user_id=form["user_id"],
            text=text,
            channel=form.get("channel_id"),
            response_url=form.get("response_url"),
            trigger_id=form.get("trigger_id"),
            raw={"command": form.get("command") or "/tracker", "form": form},
        )

    def command_reply(self, text: str, items: list[NudgeMessage]) -> dict[str, Any]:
        return message_blocks.command_reply(text, items)

    def ephemeral(self, text: str) -> dict[str, Any]:
        """A short answer only the person sees (for a response_url or a command reply)."""
        return {"response_type": "ephemeral", "replace_original": False, "text": text}
