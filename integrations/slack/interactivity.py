"""What Slack sends to the app when a person acts, and what the app can send back.

- Button click -> `block_actions` payload, form-encoded as `payload=<json>`, signed, POSTed to
  the app's interactivity_url.
- Slash command -> signed form POST to slash_command_url; the app's immediate reply (JSON with
  `response_type`/`text`/`blocks`, or plain text) is shown as Slack would show it.
- Both carry a `response_url` (`POST /response/<token>`, JSON body) honouring
  `replace_original`, `delete_original`, `response_type` (ephemeral default / in_channel),
  `text`, `blocks`, `thread_ts`; Slack allows 5 uses per URL.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from integrations.emulation import Request, Response, Router
from integrations.slack.blocks import BlocksError, interactive_elements, parse_blocks
from integrations.slack.signing import Delivery, deliver
from integrations.slack.workspace import Conversation, Message, User

if TYPE_CHECKING:
    from integrations.slack.emulator import SlackEmulator

RESPONSE_URL_USES = 5
VERIFICATION_TOKEN = "emulator-verification-token"  # Slack's deprecated `token` field, still sent


@dataclass
class ResponseTarget:
    """Where a response_url's replies go: the conversation, the person, the clicked message."""

    channel_id: str
    user_id: str
    message_ts: str | None
    uses: int = 0


@dataclass
class SlashRun:
    """A slash command the sandbox ran, for the page: who, what, and what came back at once."""

    user_id: str
    channel_id: str
    command: str
    text: str
    delivery: Delivery


class Interactions:
    def __init__(self, emulator: SlackEmulator) -> None:
        self.emu = emulator
        self.ephemerals: list[Message] = []
        self.deliveries: list[Delivery] = []
        self.slash_runs: list[SlashRun] = []
        self.notes: list[str] = []  # problems the sandbox page should show (no URL configured...)
        self.responses: dict[str, ResponseTarget] = {}
        self.triggers: dict[str, float] = {}  # trigger_id -> issued at (for views.open)
        self.trigger_users: dict[str, str] = {}  # trigger_id -> the person who acted

    def register(self, router: Router) -> None:
        router.add("POST", r"/response/(?P<token>[A-Za-z0-9_-]+)", self._response_url)

    # -- ids handed to the app ----------------------------------------------------------------
    def new_response_url(self, channel_id: str, user_id: str, message_ts: str | None) -> str:
        token = secrets.token_urlsafe(18)
        with self.emu.lock:
            self.responses[token] = ResponseTarget(channel_id, user_id, message_ts)
        return f"{self.emu.url}/response/{token}"

    def new_trigger_id(self, user_id: str) -> str:
        trigger = f"{secrets.randbelow(10**11)}.{secrets.randbelow(10**9)}.{secrets.token_hex(16)}"
        with self.emu.lock:
            self.triggers[trigger] = time.monotonic()
            self.trigger_users[trigger] = user_id
        return trigger

    # -- block_actions ----------------------------------------------------------------------
    def click(
        self,
        channel: str,
        ts: str,
        action_id: str,
        *,
        user_id: str,
        block_id: str | None = None,
        inputs: dict[str, str] | None = None,
    ) -> Delivery:
        with self.emu.lock:
            conversation = self.emu.conversation(channel)
            message = self.find_message(conversation.id, ts)
            if message is None:
                raise LookupError(f"no message {ts} in {channel}")
            block, element = find_element(message, action_id, block_id)
            payload = self.block_actions_payload(conversation, message, block, element, user_id, inputs)
        return self.send_interaction("block_actions", payload)

    def block_actions_payload(
        self,
        conversation: Conversation,
        message: Message,
        block: dict[str, Any],
        element: dict[str, Any],
        user_id: str,
        inputs: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        team_id = self.emu.team_id
        action = {
            "action_id": element["action_id"],
            "block_id": block["block_id"],
            "type": element.get("type", "button"),
            "action_ts": f"{time.time():.6f}",
        }
        for key in ("text", "value", "url", "style"):
            if key in element:
                action[key] = element[key]
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self.user_json(user_id),
            "api_app_id": self.emu.app_id,
            "token": VERIFICATION_TOKEN,
            "container": {
                "type": "message",
                "message_ts": message.ts,
                "channel_id": conversation.id,
                "is_ephemeral": message.ephemeral_to is not None,
            },
            "trigger_id": self.new_trigger_id(user_id),
            "team": {"id": team_id, "domain": self.emu.team_domain},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": conversation.id, "name": channel_name(conversation)},
            "state": {"values": state_values(message.blocks or [], inputs or {})},
            "response_url": self.new_response_url(conversation.id, user_id, message.ts),
            "actions": [action],
        }
        if message.ephemeral_to is None:  # Slack leaves the message out for ephemeral ones
            payload["message"] = self.emu.message_json(message)
        return payload

    def send_interaction(self, kind: str, payload: dict[str, Any]) -> Delivery:
        url = self.emu.interactivity_url
        if not url:
            raise RuntimeError("SlackEmulator.interactivity_url is not configured")
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self._record(deliver(kind, url, body, self.emu.sign(body)))

    # -- slash commands ---------------------------------------------------------------------
    def slash_command(self, user_id: str, text: str, *, command: str, channel_id: str | None) -> Delivery:
        url = self.emu.slash_command_url
        if not url:
            raise RuntimeError("SlackEmulator.slash_command_url is not configured")
        with self.emu.lock:
            user = self.emu.workspace.users[user_id]
            conversation = self.emu.conversation(channel_id or user_id)  # default: the app's DM
        fields = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.emu.team_id,
            "team_domain": self.emu.team_domain,
            "channel_id": conversation.id,
            "channel_name": channel_name(conversation),
            "user_id": user.id,
            "user_name": user.name,
            "command": command,
            "text": text,
            "api_app_id": self.emu.app_id,
            "is_enterprise_install": "false",
            "response_url": self.new_response_url(conversation.id, user.id, None),
            "trigger_id": self.new_trigger_id(user.id),
        }
        body = urlencode(fields).encode()
        delivery = self._record(deliver("slash_command", url, body, self.emu.sign(body)))
        self.slash_runs.append(SlashRun(user.id, conversation.id, command, text, delivery))
        self._show_immediate_reply(delivery, ResponseTarget(conversation.id, user.id, None), command)
        return delivery

    def _show_immediate_reply(self, delivery: Delivery, target: ResponseTarget, command: str) -> None:
        """Slack turns the app's HTTP answer into a message; failures become an ephemeral error."""
        if delivery.error:
            reply: dict[str, Any] = {"text": f'{command} failed with the error "{delivery.error}"'}
        elif not delivery.response_body.strip():
            return  # a bare 200 just acknowledges
        elif "json" in delivery.response_headers.get(
            "Content-Type", delivery.response_headers.get("content-type", "")
        ):
            try:
                reply = json.loads(delivery.response_body)
            except ValueError:
                reply = {"text": delivery.response_body.decode(errors="replace")}
        else:
            reply = {"text": delivery.response_body.decode(errors="replace")}
        reply.pop("replace_original", None)
        reply.pop("delete_original", None)
        try:
            self.apply_response(target, reply)
        except BlocksError:
            self.apply_response(target, {"text": f'{command} failed with the error "invalid_blocks"'})

    # -- response_url -----------------------------------------------------------------------
    def _response_url(self, request: Request) -> Response:
        with self.emu.lock:
            target = self.responses.get(request.params["token"])
            if target is None:
                return Response(404, {"ok": False, "error": "expired_url"})
            if target.uses >= RESPONSE_URL_USES:
                return Response(404, {"ok": False, "error": "used_url"})
            try:
                body = request.json()
                if not isinstance(body, dict):
                    raise ValueError
            except ValueError:
                return Response(400, {"ok": False, "error": "invalid_payload"})
            target.uses += 1
            try:
                self.apply_response(target, body)
            except BlocksError as err:
                return Response(400, {"ok": False, "error": err.code, "errors": err.errors})
        return Response(200, {"ok": True})

    def apply_response(self, target: ResponseTarget, body: dict[str, Any]) -> None:
        with self.emu.lock:
            conversation = self.emu.workspace.conversations[target.channel_id]
            original = self.find_message(conversation.id, target.message_ts or "")
            blocks = parse_blocks(body.get("blocks"))
            text = str(body.get("text") or "")
            if _truthy(body.get("delete_original")) and original is not None:
                original.deleted = True
            elif _truthy(body.get("replace_original")) and original is not None:
                self.emu.edit_message(original, text, blocks, by="response_url")
            elif body.get("response_type") == "in_channel":
                self.emu.store_message(
                    conversation, text, blocks, thread_ts=body.get("thread_ts"), via="response_url"
                )
            else:
                self.emu.store_ephemeral(conversation, target.user_id, text, blocks, via="response_url")

    # -- helpers ----------------------------------------------------------------------------
    def find_message(self, channel_id: str, ts: str) -> Message | None:
        """A stored message or a live ephemeral one (both can carry buttons)."""
        found = self.emu.workspace.find_message(channel_id, ts)
        if found is None:
            found = next(
                (m for m in self.ephemerals if m.channel == channel_id and m.ts == ts and not m.deleted),
                None,
            )
        return found

    def user_json(self, user_id: str) -> dict[str, Any]:
        user: User = self.emu.workspace.users[user_id]
        return {
            "id": user.id,
            "username": user.name,
            "name": user.name,
            "team_id": self.emu.team_id,
        }

    def _record(self, delivery: Delivery) -> Delivery:
        with self.emu.lock:
            self.deliveries.append(delivery)
        return delivery


def channel_name(conversation: Conversation) -> str:
    return "directmessage" if conversation.is_im else conversation.name


def find_element(
    message: Message, action_id: str, block_id: str | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The (block, element) pair a click refers to; block_id disambiguates a repeated action_id."""
    for block in message.blocks or []:
        for element in interactive_elements(block):
            if element.get("action_id") == action_id and block_id in (None, block["block_id"]):
                return block, element
    raise LookupError(f"no element with action_id {action_id!r} on message {message.ts}")


def state_values(blocks: list[dict[str, Any]], inputs: dict[str, str]) -> dict[str, Any]:
    """`state.values` as Slack sends it: every text input on the message, typed into or not."""
    values: dict[str, Any] = {}
    for block in blocks:
        for element in interactive_elements(block):
            if element.get("type") == "plain_text_input":
                typed = inputs.get(element["action_id"])
                values.setdefault(block["block_id"], {})[element["action_id"]] = {
                    "type": "plain_text_input",
                    "value": typed or None,
                }
    return values


def _truthy(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")
