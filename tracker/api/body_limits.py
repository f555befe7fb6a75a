"""Request body caps per route, enforced before the body is read.

A pure ASGI middleware: a declared Content-Length over the route's cap is refused at once (the
body is never read), and a body without one (chunked) is counted as it streams and refused at
the first byte past the cap. Either way the answer is 413 in the error shape of every other
failure. Unauthenticated callers (webhooks, Slack) get the smallest caps, since a signature can
only be checked once the whole body is in memory.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tracker.api.errors import error_response

KB = 1024
MB = 1024 * KB
# A webhook or Slack request is a few kilobytes; Jira's largest issue events stay well under this.
WEBHOOK_MAX_BYTES = 256 * KB
SLACK_MAX_BYTES = 256 * KB
# A workshop board's CSV is kilobytes; the import itself refuses more than 5 MB of CSV, and a
# browser upload adds multipart framing around the file.
CSV_IMPORT_MAX_BYTES = 5 * MB + 64 * KB
# Everything else: JSON bodies whose every text field has its own max_length.
DEFAULT_MAX_BYTES = 1 * MB


def limit_for(path: str) -> int:
    """The body cap of the route at `path` (bytes)."""
    if path.startswith("/webhooks/"):
        return WEBHOOK_MAX_BYTES
    if path.startswith("/slack/"):
        return SLACK_MAX_BYTES
    if path.endswith("/import") or path.endswith("/import/preview"):
        return CSV_IMPORT_MAX_BYTES
    return DEFAULT_MAX_BYTES


class BodyTooLarge(Exception):
    """Raised from `receive` once a streamed body passes its cap."""


class BodyLimits:
    """Outermost middleware. Past the cap while streaming, it answers 413 itself and then
    drops whatever the app tries to send (FastAPI turns a failing body read into a 400)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope.get("path", ""))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(limit, scope, receive, send)
            return
        seen = 0
        started = refused = False

        async def counting_receive() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit and not started:
                    refused = True
                    await _refuse(limit, scope, receive, send)
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 has been sent
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except Exception:
            if not refused:
                raise


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(limit: int, scope: Scope, receive: Receive, send: Send) -> None:
    response = error_response(413, "too_large", f"the request body is over this route's limit of {limit:,} bytes")
    response.headers["Connection"] = "close"  # the unread rest of the body is not wanted
    await response(scope, receive, send)
