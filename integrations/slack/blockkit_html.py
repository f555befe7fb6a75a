"""Block Kit -> HTML for the sandbox page: close enough to Slack to judge a message at a glance.

Buttons become submit buttons of the surrounding message form (`name="action"`, value the JSON
`[block_id, action_id]`), so any text inputs on the same message are sent along, as Slack puts
them in `state.values`. Buttons with a `url` are plain links, as they open a page in Slack.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

from integrations.slack.blocks import interactive_elements

Names = Callable[[str], str]  # user/channel id -> display name
_TOKEN = re.compile(r"<([^<>]+)>")
_STYLES = [
    (re.compile(r"```(.+?)```", re.S), r"<pre>\1</pre>"),
    (re.compile(r"`([^`\n]+)`"), r"<code>\1</code>"),
    (re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])"), r"<b>\1</b>"),
    (re.compile(r"(?<![\w_])_([^_\n]+)_(?![\w_])"), r"<i>\1</i>"),
    (re.compile(r"(?<![\w~])~([^~\n]+)~(?![\w~])"), r"<s>\1</s>"),
    (re.compile(r"^&gt; ?(.*)$", re.M), r"<blockquote>\1</blockquote>"),
]


def mrkdwn(text: str, names: Names) -> str:
    """Slack mrkdwn basics: *bold* _italic_ ~strike~ `code`, ```pre```, > quote, links, mentions."""
    specials: list[str] = []

    def stash(found: re.Match[str]) -> str:
        specials.append(_special(found.group(1), names))
        return f"\x00{len(specials) - 1}\x00"

    # Slack escapes &, <, > in message text; undo that, then escape for HTML once.
    stashed = _TOKEN.sub(stash, text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    out = html.escape(stashed, quote=False)
    for pattern, replacement in _STYLES:
        out = pattern.sub(replacement, out)
    out = out.replace("\n", "<br>")
    return re.sub(r"\x00(\d+)\x00", lambda m: specials[int(m.group(1))], out)


def _special(inner: str, names: Names) -> str:
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        return f'<span class="mention">@{html.escape(label or names(target[1:]))}</span>'
    if target.startswith("#"):
        return f'<span class="mention">#{html.escape(label or names(target[1:]))}</span>'
    if target.startswith("!"):
        return f'<span class="mention">@{html.escape(label or target[1:])}</span>'
    return f'<a href="{html.escape(target)}" target="_blank">{html.escape(label or target)}</a>'


def text_obj(obj: Any, names: Names) -> str:
    if not isinstance(obj, dict):
        return ""
    raw = str(obj.get("text", ""))
    return mrkdwn(raw, names) if obj.get("type") == "mrkdwn" else html.escape(raw).replace("\n", "<br>")


def render_blocks(blocks: list[dict[str, Any]], names: Names, interactive: bool = True) -> str:
    return "".join(_block(b, names, interactive) for b in blocks)


def _block(block: dict[str, Any], names: Names, interactive: bool) -> str:
    kind = block.get("type")
    if kind == "divider":
        return "<hr>"
    if kind == "header":
        return f"<h4>{text_obj(block.get('text'), names)}</h4>"
    if kind == "image":
        src, alt = (
            html.escape(str(block.get("image_url", ""))),
            html.escape(str(block.get("alt_text", ""))),
        )
        return f'<img src="{src}" alt="{alt}" class="bk-image">'
    if kind == "context":
        parts = [
            text_obj(e, names)
            if e.get("type") != "image"
            else f'<img src="{html.escape(str(e.get("image_url", "")))}" class="bk-icon">'
            for e in block.get("elements", [])
        ]
        return f'<div class="bk-context">{" ".join(parts)}</div>'
    if kind == "section":
        body = f"<div>{text_obj(block.get('text'), names)}</div>" if block.get("text") else ""
        fields = "".join(f"<div>{text_obj(f, names)}</div>" for f in block.get("fields") or [])
        if fields:
            body += f'<div class="bk-fields">{fields}</div>'
        accessory = "".join(_element(block, e, names, interactive) for e in interactive_elements(block))
        return f'<div class="bk-section"><div class="bk-main">{body}</div>{accessory}</div>'
    if kind == "actions":
        buttons = "".join(_element(block, e, names, interactive) for e in interactive_elements(block))
        return f'<div class="bk-actions">{buttons}</div>'
    if kind == "input":
        label = text_obj(block.get("label"), names)
        element = "".join(_element(block, e, names, interactive) for e in interactive_elements(block))
        return f'<label class="bk-input">{label}<br>{element}</label>'
    if kind in ("markdown", "rich_text"):
        return f"<div>{mrkdwn(_plain(block), names)}</div>"
    return f'<div class="bk-unknown">[{html.escape(str(kind))} block]</div>'


def _element(block: dict[str, Any], element: dict[str, Any], names: Names, interactive: bool) -> str:
    kind = element.get("type")
    label = text_obj(element.get("text"), names)
    style = f" bk-{html.escape(str(element['style']))}" if element.get("style") else ""
    if kind == "button" and element.get("url"):
        href = html.escape(str(element["url"]))
        return f'<a class="bk-button{style}" href="{href}" target="_blank">{label} &#8599;</a>'
    if kind == "button":
        value = html.escape(json.dumps([block["block_id"], element["action_id"]]))
        disabled = "" if interactive else " disabled"
        attrs = f'class="bk-button{style}" name="action" value="{value}"{disabled}'
        return f"<button {attrs}>{label}</button>"
    if kind == "plain_text_input":
        name = f"input:{html.escape(element['action_id'])}"
        placeholder = html.escape(str((element.get("placeholder") or {}).get("text", "")))
        if element.get("multiline"):
            return f'<textarea name="{name}" placeholder="{placeholder}"></textarea>'
        return f'<input name="{name}" placeholder="{placeholder}">'
    return f'<span class="bk-unknown">[{html.escape(str(kind))}: not clickable in the sandbox]</span>'


def _plain(block: dict[str, Any]) -> str:
    """Text of a markdown block, or the text runs of a rich_text block (formatting dropped)."""
    if "text" in block:
        return str(block["text"])
    runs: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "text":
                runs.append(str(node.get("text", "")))
            for child in node.get("elements", []):
                walk(child)

    walk(block)
    return "".join(runs)
