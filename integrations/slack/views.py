"""Modals: `views.open` with a fresh trigger_id, and `view_submission` payloads back to the app.

A trigger_id comes with every block_actions and slash command payload; Slack accepts it once
and for 3 seconds. The submission reaches the app's interactivity_url as `payload=<json>`; the
app answers with an empty 200 (close), or `{"response_action": "errors" | "update" | "clear"}`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from integrations.slack.blocks import BlocksError, normalise, validate
from integrations.slack.interactivity import VERIFICATION_TOKEN, state_values
from integrations.slack.signing import Delivery
from integrations.slack.web_api import Args, SlackError

if TYPE_CHECKING:
    from integrations.slack.emulator import SlackEmulator

TRIGGER_TTL_SECONDS = 3.0
MAX_MODAL_BLOCKS = 100


@dataclass
class View:
    id: str
    user_id: str  # whose screen the modal is on
    spec: dict[str, Any]  # what the app sent (blocks normalised with ids)
    errors: dict[str, str] = field(default_factory=dict)  # block_id -> message, from the app
    closed: bool = False

    def to_api(self, emu: SlackEmulator, values: dict[str, str] | None = None) -> dict[str, Any]:
        blocks = self.spec.get("blocks", [])
        return {
            "id": self.id,
            "team_id": emu.team_id,
            "type": self.spec.get("type", "modal"),
            "callback_id": self.spec.get("callback_id", ""),
            "private_metadata": self.spec.get("private_metadata", ""),
            "external_id": self.spec.get("external_id", ""),
            "title": self.spec.get("title"),
            "submit": self.spec.get("submit"),
            "close": self.spec.get("close"),
            "blocks": blocks,
            "state": {"values": state_values(blocks, values or {})},
            "hash": f"{int(time.time())}.{self.id}",
            "root_view_id": self.id,
            "app_id": emu.app_id,
            "bot_id": emu.workspace.bot_id,
        }


class Views:
    def __init__(self, emulator: SlackEmulator) -> None:
        self.emu = emulator
        self.views: dict[str, View] = {}
        self.used_triggers: set[str] = set()

    def open_for(self, user_id: str) -> list[View]:
        return [v for v in self.views.values() if v.user_id == user_id and not v.closed]

    # -- Web API: views.open (called under the emulator lock) -------------------------------
    def views_open(self, args: Args) -> dict[str, Any]:
        trigger = str(args.get("trigger_id") or "")
        issued = self.emu.interactions.triggers.get(trigger)
        if issued is None:
            raise SlackError("invalid_trigger_id")
        if trigger in self.used_triggers:
            raise SlackError("exchanged_trigger_id")
        if time.monotonic() - issued > TRIGGER_TTL_SECONDS:
            raise SlackError("expired_trigger_id")
        spec = self._spec(args.get("view"))
        self.used_triggers.add(trigger)
        view = View(
            self.emu.workspace.new_id("V"), self.emu.interactions.trigger_users.get(trigger, ""), spec
        )
        self.views[view.id] = view
        return {"view": view.to_api(self.emu)}

    def _spec(self, raw: Any) -> dict[str, Any]:
        spec = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(spec, dict) or spec.get("type") != "modal":
            raise SlackError("invalid_arguments", response_metadata={"messages": ["view.type"]})
        if not isinstance(spec.get("title"), dict):
            raise SlackError("invalid_arguments", response_metadata={"messages": ["view.title"]})
        blocks = spec.get("blocks")
        try:
            if not isinstance(blocks, list) or len(blocks) > MAX_MODAL_BLOCKS:
                raise BlocksError("invalid_arguments", ["view.blocks must be a list of <= 100"])
            validate(blocks[:50])  # the per-block checks; modals may hold 100
            validate(blocks[50:])
        except BlocksError as err:
            raise SlackError("invalid_arguments", response_metadata={"messages": err.errors}) from None
        return {**spec, "blocks": normalise(blocks)}

    # -- the person submits or closes -------------------------------------------------------
    def submit(self, view_id: str, values: dict[str, str] | None = None) -> Delivery:
        with self.emu.lock:
            view = self.views[view_id]
            user = self.emu.interactions.user_json(view.user_id)
            payload = {
                "type": "view_submission",
                "team": {"id": self.emu.team_id, "domain": self.emu.team_domain},
                "user": user,
                "api_app_id": self.emu.app_id,
                "token": VERIFICATION_TOKEN,
                "trigger_id": self.emu.interactions.new_trigger_id(view.user_id),
                "view": view.to_api(self.emu, values),
                "response_urls": [],
                "is_enterprise_install": False,
                "enterprise": None,
            }
        delivery = self.emu.interactions.send_interaction("view_submission", payload)
        self._apply_answer(view, delivery)
        return delivery

    def close(self, view_id: str) -> None:
        with self.emu.lock:
            self.views[view_id].closed = True

    def _apply_answer(self, view: View, delivery: Delivery) -> None:
        """What Slack does with the app's answer to a view_submission."""
        with self.emu.lock:
            if not delivery.ok:
                view.errors = {"": f"the app answered {delivery.error or delivery.status}"}
                return
            try:
                answer = json.loads(delivery.response_body) if delivery.response_body.strip() else {}
            except ValueError:
                answer = {}
            action = answer.get("response_action") if isinstance(answer, dict) else None
            if action == "errors":
                view.errors = dict(answer.get("errors") or {})
            elif action in ("update", "push") and isinstance(answer.get("view"), dict):
                try:
                    view.spec, view.errors = self._spec(answer["view"]), {}
                except SlackError as err:
                    view.errors = {"": f"the app's view was rejected: {err.code}"}
            elif action == "clear":
                for other in self.open_for(view.user_id):
                    other.closed = True
            else:
                view.closed = True
