"""The sandbox page: try the tracker's Slack side without a Slack workspace.

GET  /sandbox[?as=U...]   every person's DMs and ephemerals, every channel, the deliveries log
POST /sandbox/click       a button press -> signed block_actions to interactivity_url, then 303 back
POST /sandbox/slash       run a slash command as someone -> signed POST to slash_command_url
POST /sandbox/view        submit (view_submission to interactivity_url) or cancel an open modal
POST /sandbox/config      set interactivity_url / slash_command_url from the page

Plain HTML forms, no JavaScript: each message is one form, so text inputs on a message travel
with whichever of its buttons is pressed (Slack's `state.values`).
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING
from urllib.parse import quote

from integrations.emulation import Request, Response
from integrations.slack.sandbox_html import SandboxHtml

if TYPE_CHECKING:
    from integrations.slack.emulator import SlackEmulator


def register_sandbox(emu: SlackEmulator) -> None:
    page = SandboxPage(emu)
    emu.router.add("GET", r"/sandbox/?", page.show)
    emu.router.add("POST", r"/sandbox/click", page.click)
    emu.router.add("POST", r"/sandbox/slash", page.slash)
    emu.router.add("POST", r"/sandbox/config", page.config)
    emu.router.add("POST", r"/sandbox/view", page.view)


def _redirect(acting: str, note: str = "") -> Response:
    return Response(303, b"", {"Location": f"/sandbox?as={quote(acting)}{note}", "Content-Type": "text/html"})


class SandboxPage:
    def __init__(self, emu: SlackEmulator) -> None:
        self.emu = emu
        self.html = SandboxHtml(emu)

    # -- actions ----------------------------------------------------------------------------
    def click(self, request: Request) -> Response:
        form = request.form()
        channel, ts, acting = form.get("channel", ""), form.get("ts", ""), form.get("as", "")
        block_id, action_id = json.loads(form.get("action") or '["", ""]')
        with self.emu.lock:
            conversation = self.emu.workspace.conversations.get(channel)
        if conversation is None:
            self.emu.interactions.notes.append(f"no conversation {channel}")
            return _redirect(acting)
        # In a DM only its person can click; in a channel, whoever the page is acting as.
        user_id = conversation.user if conversation.is_im and conversation.user else acting
        ephemeral = self.emu.interactions.find_message(channel, ts)
        if ephemeral is not None and ephemeral.ephemeral_to:
            user_id = ephemeral.ephemeral_to  # only its recipient sees an ephemeral message
        inputs = {k[len("input:") :]: v for k, v in form.items() if k.startswith("input:")}
        before = self._answers(channel, ts)
        try:
            self.emu.click(channel, ts, action_id, user_id=user_id, block_id=block_id, inputs=inputs)
        except (LookupError, RuntimeError) as err:
            self.emu.interactions.notes.append(str(err))
        else:
            self._await_answer(channel, ts, before)
        return _redirect(acting, f"#m{ts.replace('.', '-')}")

    def _answers(self, channel: str, ts: str) -> tuple[int, int]:
        """How often the message was edited, and how many ephemeral answers exist."""
        with self.emu.lock:
            message = self.emu.interactions.find_message(channel, ts)
            return (len(message.edits) if message else 0, len(self.emu.interactions.ephemerals))

    def _await_answer(self, channel: str, ts: str, before: tuple[int, int], seconds: float = 3.0) -> None:
        # Real Slack redraws a message live when the app answers a click a moment later (the
        # app applies clicks in its worker); this page is static, so it waits for that answer.
        deadline = time.monotonic() + seconds
        while self._answers(channel, ts) == before and time.monotonic() < deadline:
            time.sleep(0.05)

    def slash(self, request: Request) -> Response:
        form = request.form()
        user_id = form.get("user_id", "")
        command = form.get("command") or "/tracker"
        try:
            self.emu.slash_command(
                user_id,
                form.get("text", ""),
                command=command,
                channel_id=form.get("channel_id") or None,
            )
        except (LookupError, RuntimeError, KeyError) as err:
            self.emu.interactions.notes.append(f"slash command not sent: {err}")
        return _redirect(form.get("as") or user_id, "#slash")

    def view(self, request: Request) -> Response:
        form = request.form()
        with self.emu.lock:
            view = self.emu.views.views.get(form.get("view_id", ""))
        if view is None:
            return _redirect("")
        if form.get("do") == "submit":
            inputs = {k[len("input:") :]: v for k, v in form.items() if k.startswith("input:")}
            try:
                self.emu.submit_view(view.id, inputs)
            except RuntimeError as err:
                self.emu.interactions.notes.append(str(err))
        else:
            self.emu.views.close(view.id)
        return _redirect(view.user_id, f"#u{view.user_id}")

    def config(self, request: Request) -> Response:
        form = request.form()
        self.emu.interactivity_url = form.get("interactivity_url") or None
        self.emu.slash_command_url = form.get("slash_command_url") or None
        return _redirect(form.get("as", ""))

    def show(self, request: Request) -> Response:
        with self.emu.lock:
            page = self.html.page(request.arg("as"))
        return Response(200, page, {"Content-Type": "text/html; charset=utf-8"})
