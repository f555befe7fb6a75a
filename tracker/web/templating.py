"""Jinja2 set-up and the one way pages are rendered.

One template per page with named blocks: a full request gets the page, an htmx request gets
just the block it asked for (`render(..., block="item")`), so a fragment is never a second
copy of the markup. Auto-escaping is on for every template.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from tracker.activity.visibility import visible_changes
from tracker.web import csrf
from tracker.web.nav import nav_for
from tracker.web.session import viewer_of

WEB = Path(__file__).resolve().parent
TEMPLATES = WEB / "templates"
STATIC = WEB / "static"


@lru_cache
def _static_version(path: str) -> str:
    # A content hash in the query string: browsers may cache forever, a change busts it.
    file = STATIC / path
    return hashlib.sha256(file.read_bytes()).hexdigest()[:10] if file.is_file() else "missing"


def static_url(path: str) -> str:
    return f"/static/{path}?v={_static_version(path)}"


def _date(value: date | datetime | None, fmt: str = "%d %b %Y") -> str:
    return value.strftime(fmt) if value is not None else ""


def _label(value: object) -> str:
    """Enum values and snake_case for people: `closing_loop` -> `Closing loop`."""
    text = str(getattr(value, "value", value)).replace("_", " ")
    return text[:1].upper() + text[1:]


def _change_text(changes: dict[str, Any]) -> str:
    """An activity entry's changes in words: `phase: implementing → training; reason: ...`."""
    parts = []
    for name, change in changes.items():
        if isinstance(change, dict) and set(change) == {"from", "to"}:
            parts.append(f"{_label(name).lower()}: {change['from']} → {change['to']}")
        else:
            parts.append(f"{_label(name).lower()}: {change}")
    return "; ".join(parts)


def _is_web_url(value: object) -> bool:
    # Links from outside (a ticket's URL) go into href only when they are http(s): never
    # `javascript:` or `data:`, which would run code when clicked.
    return isinstance(value, str) and value.lower().startswith(("https://", "http://"))


@lru_cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,  # a typo in a template fails loudly in tests
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates ship with the package and change only with a new release: no file check
        # on every render (each row's `{% from ... import %}` asked for one).
        auto_reload=False,
    )
    env.globals["static"] = static_url
    env.filters["date"] = _date
    env.filters["label"] = _label
    env.filters["change_text"] = _change_text
    # `entry | visible_changes(me.role)`: an activity entry's changes as the reader may see them.
    env.filters["visible_changes"] = visible_changes
    env.filters["is_web_url"] = _is_web_url
    # The component macros, available in every template and every block without an import
    # (a block rendered on its own does not see its template's top-level imports).
    env.globals["ui"] = env.get_template("components/ui.html").module
    return env


def compile_templates() -> int:
    """Parse every template now (a serving process does it before its first request)."""
    env = environment()
    names = env.list_templates(extensions=["html"])
    for name in names:
        env.get_template(name)
    return len(names)


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def partial(request: Request, block: str) -> str | None:
    """`block` when htmx asked for part of a page, None for a full page."""
    if is_htmx(request) and request.headers.get("HX-Request-Type") != "full":
        return block
    return None


def render_block(template: str, block: str, context: dict[str, Any]) -> str:
    t = environment().get_template(template)
    return "".join(t.blocks[block](t.new_context(context)))


def render(request: Request, template: str, context: dict[str, Any] | None = None, *,
           status: int = 200, block: str | None = None) -> HTMLResponse:
    """The page (or one block of it) with the layout's context: who is signed in, the CSRF
    token for forms, the navigation."""
    ctx = {**layout_context(request), **(context or {})}
    if block is not None:
        html = render_block(template, block, ctx)
    else:
        html = environment().get_template(template).render(ctx)
    response = HTMLResponse(html, status_code=status)
    csrf.set_pre_session_cookie(request, response)
    return response


def layout_context(request: Request) -> dict[str, Any]:
    me = viewer_of(request)
    return {"request": request, "me": me, "csrf_token": csrf.token_for(request),
            "nav": nav_for(me)}
