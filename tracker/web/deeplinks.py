"""Backlinks open pages: the links we put in tickets, Slack and digests are API URLs
(`<base_url>/action-items/7`). When a browser opens one (a GET that prefers HTML and carries
no API token) it is redirected to the page mirroring that path (`/app/action-items/7`), which
asks it to sign in first if needed. Scripts (Accept: */* or JSON, or a token) get the JSON.

Which API paths have a page is read from the page routes themselves, so a new page
(`/app/moments/{moment_id}`) makes its backlinks work without touching this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

from tracker.web.paths import PAGE_PREFIX, is_page_path


def _quality(accept: str, media_type: str) -> float:
    for part in accept.split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() == media_type:
            match = re.search(r"q\s*=\s*([0-9.]+)", params)
            try:
                return float(match.group(1)) if match else 1.0
            except ValueError:
                return 0.0
    return 0.0


def prefers_html(accept: str) -> bool:
    """Named explicitly and ranked above JSON: what browsers send on navigation; `*/*`
    (curl, httpx, fetch) does not count."""
    return _quality(accept, "text/html") > max(0.0, _quality(accept, "application/json"))


class BrowserDeepLinks:
    def __init__(self, app: ASGIApp, page_patterns: Iterable[re.Pattern[str]]) -> None:
        self.app = app
        self.patterns = list(page_patterns)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            target = self._page_for(scope)
            if target is not None:
                await send({"type": "http.response.start", "status": 303,
                            "headers": [(b"location", target.encode()), (b"content-length", b"0"),
                                        (b"vary", b"Accept")]})
                await send({"type": "http.response.body", "body": b""})
                return
        await self.app(scope, receive, send)

    def _page_for(self, scope: Scope) -> str | None:
        path: str = scope["path"]
        if is_page_path(path) or path.startswith(("/static/", "/docs", "/redoc")):
            return None
        headers = dict(scope["headers"])
        if b"authorization" in headers or not prefers_html(headers.get(b"accept", b"").decode("latin-1")):
            return None
        page = PAGE_PREFIX + path
        if not any(p.fullmatch(page) for p in self.patterns):
            return None
        query = scope.get("query_string", b"").decode("latin-1")
        return page + (f"?{query}" if query else "")
