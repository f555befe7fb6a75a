"""The sandbox page: try the tracker's Slack side without a Slack workspace.

GET  /sandbox[?as=U...]   every person's DMs and ephemerals, every channel, the deliveries log
POST /sandbox/click       a button press -> signed block_actions to interactivity_url, then 303 back
POST /sandbox/slash       run a slash command as someone -> signed POST to slash_command_url
POST /sandbox/config      set interactivity_url / slash_command_url from the page

Plain HTML forms, no JavaScript: each message is one form, so text inputs on a message travel
with whichever of its buttons is pressed (Slack's `state.values`).
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING
from urllib.parse import quote

from integrations.emulation import Request, Response
from integrations.slack.blockkit_html import mrkdwn, render_blocks
from integrations.slack.workspace import Conversation, Message, User

if TYPE_CHECKING:
    from integrations.slack.emulator import SlackEmulator

CSS = """
body{font-family:system-ui,sans-serif;margin:1.5rem;max-width:70rem;color:#1d1c1d}
h1{font-size:1.4rem} h2{font-size:1.15rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(30rem,1fr));gap:1rem}
.panel{border:1px solid #ddd;border-radius:8px;padding:.6rem 1rem;background:#fafafa}
.msg{background:#fff;border:1px solid #e3e3e3;border-radius:6px;padding:.5rem .7rem;margin:.5rem 0}
.msg.reply{margin-left:2rem} .msg.ephemeral{border-style:dashed;background:#f4f8ff}
.meta{color:#777;font-size:.8rem} .bk-context{color:#616061;font-size:.85rem;margin:.3rem 0}
.bk-section{display:flex;gap:.5rem;justify-content:space-between;margin:.3rem 0}
.bk-fields{display:grid;grid-template-columns:1fr 1fr;gap:.2rem 1rem;margin-top:.3rem}
.bk-actions{display:flex;flex-wrap:wrap;gap:.4rem;margin:.4rem 0}
.bk-button{border:1px solid #bbb;border-radius:4px;background:#fff;padding:.25rem .7rem;cursor:pointer;
 font-size:.9rem;text-decoration:none;color:#1d1c1d}
.bk-primary{background:#007a5a;color:#fff;border-color:#007a5a} .bk-danger{background:#e01e5a;color:#fff}
.bk-input textarea,.bk-input input{width:95%} .mention{background:#e8f5fa;color:#1264a3}
.edited{color:#999;font-size:.75rem} .flash{background:#fff8e1;border:1px solid #f0c36d;padding:.5rem}
table{border-collapse:collapse;font-size:.85rem} td,th{border:1px solid #ddd;padding:.2rem .4rem;text-align:left}
pre{white-space:pre-wrap;background:#f6f6f6;padding:.3rem}
"""


def register_sandbox(emu: SlackEmulator) -> None:
    page = SandboxPage(emu)
    emu.router.add("GET", r"/sandbox/?", page.show)
    emu.router.add("POST", r"/sandbox/click", page.click)
    emu.router.add("POST", r"/sandbox/slash", page.slash)
    emu.router.add("POST", r"/sandbox/config", page.config)


def _redirect(acting: str, note: str = "") -> Response:
    return Response(303, b"", {"Location": f"/sandbox?as={quote(acting)}{note}", "Content-Type": "text/html"})


class SandboxPage:
    def __init__(self, emu: SlackEmulator) -> None:
        self.emu = emu

    # -- actions ----------------------------------------------------------------------------
    def click(self, request: Request) -> Response:
        form = request.form()
        channel, ts, acting = form.get("channel", ""), form.get("ts", ""), form.get("as", "")
        block_id, action_id = json.loads(form.get("action") or '["", ""]')
        with self.emu.lock:
            conversation = self.emu.workspace.conversations[channel]
        # In a DM only its person can click; in a channel, whoever the page is acting as.
        user_id = conversation.user if conversation.is_im and conversation.user else acting
        ephemeral = self.emu.interactions.find_message(channel, ts)
        if ephemeral is not None and ephemeral.ephemeral_to:
            user_id = ephemeral.ephemeral_to  # only its recipient sees an ephemeral message
        inputs = {k[len("input:") :]: v for k, v in form.items() if k.startswith("input:")}
        try:
            self.emu.click(channel, ts, action_id, user_id=user_id, block_id=block_id, inputs=inputs)
        except (LookupError, RuntimeError) as err:
            self.emu.interactions.notes.append(str(err))
        return _redirect(acting, f"#m{ts.replace('.', '-')}")

    def slash(self, request: Request) -> Response:
        form = request.form()
        user_id = form.get("user_id", "")
        command = form.get("command") or "/tracker"
        try:
            self.emu.slash_command(user_id, form.get("text", ""), command=command, channel_id=form.get("channel_id") or None)
        except (LookupError, RuntimeError, KeyError) as err:
            self.emu.interactions.notes.append(f"slash command not sent: {err}")
        return _redirect(form.get("as") or user_id, "#slash")

    def config(self, request: Request) -> Response:
        form = request.form()
        self.emu.interactivity_url = form.get("interactivity_url") or None
        self.emu.slash_command_url = form.get("slash_command_url") or None
        return _redirect(form.get("as", ""))

    # -- the page ---------------------------------------------------------------------------
    def show(self, request: Request) -> Response:
        with self.emu.lock:
            people = [u for u in self.emu.workspace.users.values() if not u.is_bot]
            acting = request.arg("as") or (people[0].id if people else "")
            body = "".join(
                [
                    f"<h1>Slack sandbox &middot; {html.escape(self.emu.team_domain)} ({self.emu.team_id})</h1>",
                    self._header(acting, people),
                    "<h2>People (direct messages from the app)</h2><div class='grid'>",
                    "".join(self._person(u.id, acting) for u in people),
                    "</div><h2>Channels</h2><div class='grid'>",
                    "".join(self._channel(c, acting) for c in self._channels()),
                    "</div>",
                    self._slash_form(acting, people),
                    self._deliveries(),
                ]
            )
        page = f"<!doctype html><html><head><meta charset='utf-8'><title>Slack sandbox</title><style>{CSS}</style></head><body>{body}</body></html>"
        return Response(200, page, {"Content-Type": "text/html; charset=utf-8"})

    def _channels(self) -> list[Conversation]:
        return [c for c in self.emu.workspace.conversations.values() if not c.is_im]

    def _header(self, acting: str, people: list[User]) -> str:
        options = "".join(
            f"<option value='{u.id}'{' selected' if u.id == acting else ''}>{html.escape(u.real_name)} (@{html.escape(u.name)})</option>"
            for u in people
        )
        notes = "".join(f"<div class='flash'>{html.escape(n)}</div>" for n in self.emu.interactions.notes[-3:])
        last = self.emu.deliveries[-1] if self.emu.deliveries else None
        flash = ""
        if last is not None:
            outcome = last.error or f"HTTP {last.status}"
            flash = f"<div class='flash'>Last delivery: <b>{last.kind}</b> to {html.escape(last.url)} &rarr; {html.escape(outcome)} in {last.elapsed * 1000:.0f} ms</div>"
        return f"""
<form method="get" action="/sandbox">Acting in channels as <select name="as">{options}</select>
 <button>Switch</button> <a href="/sandbox?as={quote(acting)}">Refresh</a></form>
<form method="post" action="/sandbox/config" class="meta"><input type="hidden" name="as" value="{html.escape(acting)}">
 Interactivity URL <input name="interactivity_url" size="40" value="{html.escape(self.emu.interactivity_url or '')}">
 Slash command URL <input name="slash_command_url" size="40" value="{html.escape(self.emu.slash_command_url or '')}">
 <button>Save</button></form>{notes}{flash}"""

    def _person(self, user_id: str, acting: str) -> str:
        user = self.emu.workspace.users[user_id]
        dm = self.emu.workspace.dm_for(user_id, create=False)
        messages = [m for m in dm.messages if not m.deleted] if dm else []
        ephemerals = [m for m in self.emu.interactions.ephemerals if m.ephemeral_to == user_id and not m.deleted]
        status = " <span class='meta'>(deactivated)</span>" if user.deleted else ""
        items = "".join(self._message(m, acting) for m in messages + ephemerals) or "<p class='meta'>No messages yet.</p>"
        return (
            f"<div class='panel' id='u{user.id}'><h3>{html.escape(user.real_name)}{status}</h3>"
            f"<div class='meta'>@{html.escape(user.name)} &middot; {html.escape(user.email)} &middot; {user.id}</div>{items}</div>"
        )

    def _channel(self, channel: Conversation, acting: str) -> str:
        flags = []
        if channel.archived:
            flags.append("archived")
        if not channel.bot_member:
            flags.append("app not a member")
        top = [m for m in channel.messages if not m.thread_ts or m.thread_ts == m.ts]
        items = []
        for message in top:
            if message.deleted:
                continue
            items.append(self._message(message, acting))
            replies = [r for r in channel.messages if r.thread_ts == message.ts and r.ts != message.ts and not r.deleted]
            items.extend(self._message(r, acting, reply=True) for r in replies)
        ephemerals = [m for m in self.emu.interactions.ephemerals if m.channel == channel.id and not m.deleted]
        items.extend(self._message(m, acting) for m in ephemerals)
        meta = f"{channel.id}" + (f" &middot; {', '.join(flags)}" if flags else "")
        return (
            f"<div class='panel'><h3>#{html.escape(channel.name)}</h3><div class='meta'>{meta}</div>"
            f"{''.join(items) or '<p class=meta>No messages yet.</p>'}</div>"
        )

    def _message(self, message: Message, acting: str, reply: bool = False) -> str:
        author = self._name(message.user)
        classes = "msg" + (" reply" if reply else "") + (" ephemeral" if message.ephemeral_to else "")
        note = f" &middot; only visible to {html.escape(self._name(message.ephemeral_to))}" if message.ephemeral_to else ""
        edited = f" <span class='edited'>(edited {len(message.edits)}&times;)</span>" if message.edits else ""
        content = render_blocks(message.blocks, self._name) if message.blocks else mrkdwn(message.text, self._name)
        anchor = f"m{message.ts.replace('.', '-')}"
        return f"""<form method="post" action="/sandbox/click" class="{classes}" id="{anchor}">
<input type="hidden" name="channel" value="{message.channel}"><input type="hidden" name="ts" value="{message.ts}">
<input type="hidden" name="as" value="{html.escape(acting)}">
<div class="meta"><b>{html.escape(author)}</b> &middot; {message.ts}{note}{edited}</div>{content}</form>"""

    def _slash_form(self, acting: str, people: list[User]) -> str:
        users = "".join(
            f"<option value='{u.id}'{' selected' if u.id == acting else ''}>{html.escape(u.real_name)}</option>" for u in people
        )
        channels = "<option value=''>their DM with the app</option>" + "".join(
            f"<option value='{c.id}'>#{html.escape(c.name)}</option>" for c in self._channels()
        )
        runs = "".join(
            f"<tr><td>{html.escape(self._name(r.user_id))}</td><td>{html.escape(r.command)} {html.escape(r.text)}</td>"
            f"<td>{html.escape(r.delivery.error or f'HTTP {r.delivery.status}')}</td>"
            f"<td><pre>{html.escape(r.delivery.response_body.decode(errors='replace')[:2000])}</pre></td></tr>"
            for r in reversed(self.emu.interactions.slash_runs[-10:])
        )
        return f"""<h2 id="slash">Run a slash command</h2>
<form method="post" action="/sandbox/slash"><input type="hidden" name="as" value="{html.escape(acting)}">
As <select name="user_id">{users}</select> in <select name="channel_id">{channels}</select>
<input name="command" value="/tracker" size="10"> <input name="text" value="mine" size="30"> <button>Send</button></form>
<p class="meta">The app's immediate reply, and anything it later posts to the response_url, appears in the
person's panel (ephemeral) or in the channel (in_channel).</p>
<table><tr><th>Who</th><th>Command</th><th>Outcome</th><th>Immediate reply</th></tr>{runs}</table>"""

    def _deliveries(self) -> str:
        rows = "".join(
            f"<tr><td>{d.kind}</td><td>{html.escape(d.url)}</td><td>{html.escape(d.error or f'HTTP {d.status}')}</td>"
            f"<td>{d.elapsed * 1000:.0f} ms</td></tr>"
            for d in reversed(self.emu.deliveries[-20:])
        )
        return f"<h2>Requests sent to the app</h2><table><tr><th>Kind</th><th>URL</th><th>Outcome</th><th>Time</th></tr>{rows}</table>"

    def _name(self, ref: str | None) -> str:
        ws = self.emu.workspace
        if ref == ws.bot_user_id:
            return self.emu.bot_name
        if ref in ws.users:
            return ws.users[ref].real_name
        if ref in ws.conversations:
            return ws.conversations[ref].name or ref
        return ref or "?"
