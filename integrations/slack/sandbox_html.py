"""HTML of the sandbox page (see emulator_sandbox.py for the routes it posts to).

Server-rendered, no JavaScript. Each message is one form posting to /sandbox/click, so text
inputs on a message travel with whichever of its buttons is pressed (Slack's `state.values`).
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING
from urllib.parse import quote

from integrations.slack.blockkit_html import mrkdwn, render_blocks, text_obj
from integrations.slack.workspace import Conversation, Message, User

if TYPE_CHECKING:
    from integrations.slack.emulator import SlackEmulator
    from integrations.slack.views import View

CSS = "\n".join(
    [
        "body{font-family:system-ui,sans-serif;margin:1.5rem;max-width:70rem;color:#1d1c1d}",
        "h1{font-size:1.4rem} h2{font-size:1.15rem;border-bottom:1px solid #ddd}",
        ".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(30rem,1fr));gap:1rem}",
        ".panel{border:1px solid #ddd;border-radius:8px;padding:.6rem 1rem;background:#fafafa}",
        ".msg{background:#fff;border:1px solid #e3e3e3;border-radius:6px;padding:.5rem .7rem;",
        " margin:.5rem 0}",
        ".msg.reply{margin-left:2rem} .msg.ephemeral{border-style:dashed;background:#f4f8ff}",
        ".meta{color:#777;font-size:.8rem} .bk-context{color:#616061;font-size:.85rem}",
        ".bk-section{display:flex;gap:.5rem;justify-content:space-between;margin:.3rem 0}",
        ".bk-fields{display:grid;grid-template-columns:1fr 1fr;gap:.2rem 1rem;margin-top:.3rem}",
        ".bk-actions{display:flex;flex-wrap:wrap;gap:.4rem;margin:.4rem 0}",
        ".bk-button{border:1px solid #bbb;border-radius:4px;background:#fff;cursor:pointer;",
        " padding:.25rem .7rem;font-size:.9rem;text-decoration:none;color:#1d1c1d}",
        ".bk-primary{background:#007a5a;color:#fff} .bk-danger{background:#e01e5a;color:#fff}",
        ".bk-input textarea,.bk-input input{width:95%} .mention{background:#e8f5fa;color:#1264a3}",
        ".edited{color:#999;font-size:.75rem} .modal{border:2px solid #4a154b}",
        ".flash{background:#fff8e1;border:1px solid #f0c36d;padding:.5rem;margin:.3rem 0}",
        "table{border-collapse:collapse;font-size:.85rem}",
        "td,th{border:1px solid #ddd;padding:.2rem .4rem;text-align:left}",
        "pre{white-space:pre-wrap;background:#f6f6f6;padding:.3rem;margin:0}",
    ]
)


def option(value: str, label: str, selected: bool = False) -> str:
    return f"<option value='{escape(value)}'{' selected' if selected else ''}>{escape(label)}</option>"


def row(*cells: str) -> str:
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def hidden(name: str, value: str) -> str:
    return f"<input type='hidden' name='{name}' value='{escape(value)}'>"


class SandboxHtml:
    def __init__(self, emu: SlackEmulator) -> None:
        self.emu = emu

    def page(self, acting: str | None) -> str:
        """The whole page; call with the emulator's lock held."""
        people = [u for u in self.emu.workspace.users.values() if not u.is_bot]
        acting = acting or (people[0].id if people else "")
        body = "".join(
            [
                f"<h1>Slack sandbox &middot; {escape(self.emu.team_domain)}</h1>",
                self.header(acting, people),
                "<h2>People (direct messages from the app)</h2><div class='grid'>",
                "".join(self.person(u, acting) for u in people),
                "</div><h2>Channels</h2><div class='grid'>",
                "".join(self.channel(c, acting) for c in self.channels()),
                "</div>",
                self.slash_form(acting, people),
                self.deliveries(),
            ]
        )
        head = f"<meta charset='utf-8'><title>Slack sandbox</title><style>{CSS}</style>"
        return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>"

    def channels(self) -> list[Conversation]:
        return [c for c in self.emu.workspace.conversations.values() if not c.is_im]

    def header(self, acting: str, people: list[User]) -> str:
        options = "".join(option(u.id, f"{u.real_name} (@{u.name})", u.id == acting) for u in people)
        notes = "".join(f"<div class='flash'>{escape(n)}</div>" for n in self.emu.interactions.notes[-3:])
        if self.emu.deliveries:
            last = self.emu.deliveries[-1]
            outcome = escape(last.error or f"HTTP {last.status}")
            notes += (
                f"<div class='flash'>Last delivery: <b>{last.kind}</b> to {escape(last.url)}"
                f" &rarr; {outcome} in {last.elapsed * 1000:.0f} ms</div>"
            )
        urls = (
            f"Interactivity URL <input name='interactivity_url' size='40'"
            f" value='{escape(self.emu.interactivity_url or '')}'>"
            f" Slash command URL <input name='slash_command_url' size='40'"
            f" value='{escape(self.emu.slash_command_url or '')}'>"
        )
        return (
            "<form method='get' action='/sandbox'>Acting in channels as"
            f" <select name='as'>{options}</select> <button>Switch</button>"
            f" <a href='/sandbox?as={quote(acting)}'>Refresh</a></form>"
            "<form method='post' action='/sandbox/config' class='meta'>"
            f"{hidden('as', acting)}{urls}"
            f" <button>Save</button></form>{notes}"
        )

    def person(self, user: User, acting: str) -> str:
        dm = self.emu.workspace.dm_for(user.id, create=False)
        messages = [m for m in dm.messages if not m.deleted] if dm else []
        ephemerals = [m for m in self.emu.interactions.ephemerals if m.ephemeral_to == user.id]
        shown = messages + [m for m in ephemerals if not m.deleted]
        items = "".join(self.modal(v) for v in self.emu.views.open_for(user.id))
        items += "".join(self.message(m, acting) for m in shown) or "<p class='meta'>No messages.</p>"
        status = " <span class='meta'>(deactivated)</span>" if user.deleted else ""
        about = f"@{escape(user.name)} &middot; {escape(user.email)} &middot; {escape(user.id)}"
        return (
            f"<div class='panel' id='u{escape(user.id)}'><h3>{escape(user.real_name)}{status}</h3>"
            f"<div class='meta'>{about}</div>{items}</div>"
        )

    def channel(self, channel: Conversation, acting: str) -> str:
        flags = [channel.id]
        if channel.archived:
            flags.append("archived")
        if not channel.bot_member:
            flags.append("app not a member")
        items = []
        for message in channel.messages:
            if message.deleted or (message.thread_ts and message.thread_ts != message.ts):
                continue  # replies are shown under their parent
            items.append(self.message(message, acting))
            items.extend(
                self.message(r, acting, reply=True)
                for r in channel.messages
                if r.thread_ts == message.ts and r.ts != message.ts and not r.deleted
            )
        items.extend(
            self.message(m, acting)
            for m in self.emu.interactions.ephemerals
            if m.channel == channel.id and not m.deleted
        )
        return (
            f"<div class='panel'><h3>#{escape(channel.name)}</h3>"
            f"<div class='meta'>{' &middot; '.join(escape(f) for f in flags)}</div>"
            f"{''.join(items) or '<p class=meta>No messages yet.</p>'}</div>"
        )

    def message(self, message: Message, acting: str, reply: bool = False) -> str:
        classes = "msg" + (" reply" if reply else "") + (" ephemeral" if message.ephemeral_to else "")
        meta = f"<b>{escape(self.name(message.user))}</b> &middot; {escape(message.ts)}"
        if message.ephemeral_to:
            meta += f" &middot; only visible to {escape(self.name(message.ephemeral_to))}"
        if message.edits:
            meta += f" <span class='edited'>(edited {len(message.edits)}&times;)</span>"
        if message.blocks:
            content = render_blocks(message.blocks, self.name)
        else:
            content = mrkdwn(message.text, self.name)
        fields = hidden("channel", message.channel) + hidden("ts", message.ts) + hidden("as", acting)
        anchor = escape("m" + message.ts.replace(".", "-"))
        return (
            f"<form method='post' action='/sandbox/click' class='{classes}' id='{anchor}'>"
            f"{fields}<div class='meta'>{meta}</div>{content}</form>"
        )

    def modal(self, view: View) -> str:
        """An open modal, as a form: Submit sends view_submission, Cancel just closes it."""
        spec = view.spec
        title = text_obj(spec.get("title"), self.name)
        submit = text_obj(spec.get("submit"), self.name) or "Submit"
        errors = "".join(
            f"<div class='flash'>{escape(block or 'modal')}: {escape(str(text))}</div>"
            for block, text in view.errors.items()
        )
        blocks = render_blocks(spec.get("blocks", []), self.name, interactive=False)
        buttons = (
            f"<button class='bk-button bk-primary' name='do' value='submit'>{submit}</button>"
            " <button class='bk-button' name='do' value='close'>Cancel</button>"
        )
        return (
            f"<form method='post' action='/sandbox/view' class='msg modal' id='{escape(view.id)}'>"
            f"{hidden('view_id', view.id)}<div class='meta'>Modal &middot; <b>{title}</b></div>"
            f"{errors}{blocks}{buttons}</form>"
        )

    def slash_form(self, acting: str, people: list[User]) -> str:
        users = "".join(option(u.id, u.real_name, u.id == acting) for u in people)
        channels = option("", "their DM with the app") + "".join(
            option(c.id, f"#{c.name}") for c in self.channels()
        )
        runs = "".join(
            row(
                escape(self.name(r.user_id)),
                escape(f"{r.command} {r.text}"),
                escape(r.delivery.error or f"HTTP {r.delivery.status}"),
                f"<pre>{escape(r.delivery.response_body.decode(errors='replace')[:2000])}</pre>",
            )
            for r in reversed(self.emu.interactions.slash_runs[-10:])
        )
        inputs = (
            f"As <select name='user_id'>{users}</select> in <select name='channel_id'>{channels}"
            "</select> <input name='command' value='/tracker' size='10'>"
            " <input name='text' value='mine' size='30'> <button>Send</button>"
        )
        return (
            "<h2 id='slash'>Run a slash command</h2>"
            f"<form method='post' action='/sandbox/slash'>{hidden('as', acting)}{inputs}</form>"
            "<p class='meta'>The app's immediate reply, and anything it later posts to the"
            " response_url, appears in the person's panel (ephemeral) or in the channel"
            " (in_channel).</p><table><tr><th>Who</th><th>Command</th><th>Outcome</th>"
            f"<th>Immediate reply</th></tr>{runs}</table>"
        )

    def deliveries(self) -> str:
        rows = "".join(
            row(
                escape(d.kind),
                escape(d.url),
                escape(d.error or f"HTTP {d.status}"),
                f"{d.elapsed * 1000:.0f} ms",
            )
            for d in reversed(self.emu.deliveries[-20:])
        )
        return (
            "<h2>Requests sent to the app</h2><table><tr><th>Kind</th><th>URL</th>"
            f"<th>Outcome</th><th>Time</th></tr>{rows}</table>"
        )

    def name(self, ref: str | None) -> str:
        ws = self.emu.workspace
        if ref == ws.bot_user_id:
            return self.emu.bot_name
        if ref in ws.users:
            return ws.users[ref].real_name
        if ref in ws.conversations:
            return ws.conversations[ref].name or ref
        return ref or "?"
