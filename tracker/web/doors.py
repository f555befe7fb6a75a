"""Which door a request came in by, for the activity log (tracker/activity/source.py): a page
of the workspace, Slack's own requests, or the API. Webhooks record no activity themselves (the
worker applies the ticket's change later, under the vendor's label)."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from tracker.activity.source import Source, acting_from
from tracker.web.paths import is_page_path


def door_of(path: str) -> Source:
    if is_page_path(path):
        return Source.web
    if path.startswith("/slack/"):
        return Source.slack
    return Source.api


class ActivitySourceMiddleware:
    """Sets the activity source for everything the request changes (pure ASGI, so the context
    reaches the endpoint and the threads it runs in)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with acting_from(door_of(scope["path"])):
            await self.app(scope, receive, send)
