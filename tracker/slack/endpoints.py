"""Slack's requests to us: button presses, modal submissions and the `/tracker` command.

No API token: Slack signs each request (v0 HMAC over the raw body, five-minute window) with
the app's signing secret, and that signature is the only thing that authenticates it. A bad or
old signature is a 401 before anything is read or changed. Not in the OpenAPI document: only
Slack calls these, with form bodies, at the URLs in `tracker slack manifest`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from tracker.api.deps import DbSession
from tracker.clock import Today
from tracker.errors import InvalidInput, NotAuthenticated, NotFound
from tracker.health.rejections import SLACK_SOURCE, count_rejection
from tracker.messaging.ports import InteractionCodec
from tracker.slack.commands import listing
from tracker.slack.outbound import queue_interaction
from tracker.slack.service import UNKNOWN_PERSON, apply_interaction, person_for
from tracker.sqlite_writers import prompt_writes

router = APIRouter(tags=["slack"], include_in_schema=False)
UPDATE_BLOCK = "update"  # the modal's input block, where Slack shows an error


async def _verified_body(request: Request) -> tuple[InteractionCodec, bytes]:
    settings = request.app.state.settings
    codec: InteractionCodec | None = getattr(request.app.state, "slack_codec", None)
    if settings.slack is None or codec is None:
        raise NotFound("Slack integration", "(not configured)")
    body = await request.body()
    if not codec.verify(settings.slack.signing_secret.get_secret_value(), request.headers, body):
        await count_rejection(request, SLACK_SOURCE)  # shown on the integration health page
        raise NotAuthenticated("missing, invalid or expired X-Slack-Signature")
    return codec, body


@router.post("/slack/interactivity")
async def slack_interactivity(request: Request, session: DbSession) -> Response:
    """A button press (block_actions) or modal submission (view_submission) from Slack.

    A button press is stored and acknowledged at once; the worker applies it (taking such
    messages first) and answers in Slack. Applying it here, under load, could take longer than
    the 3 s Slack waits before telling the person it failed. A modal submission is applied
    here: its refusal has to be the answer itself, shown inside the modal.
    """
    codec, body = await _verified_body(request)
    try:
        interaction = codec.parse_interaction(body)
    except ValueError as exc:
        raise InvalidInput(f"not a Slack interaction: {exc}", field="payload") from exc
    if interaction.action == "open_ticket":
        return Response(status_code=200)  # a link button: Slack opens the URL, we only acknowledge
    # Database work in a worker thread, never on the event loop (see tracker/sync/webhook_endpoints.py).
    with prompt_writes():  # Slack times the answer: on SQLite these writes go first
        if interaction.kind != "view_submission":
            await run_in_threadpool(queue_interaction, session, interaction)
            return Response(status_code=200)
        outcome = await run_in_threadpool(apply_interaction, session, interaction)
    if interaction.kind == "view_submission" and not outcome.ok:
        return JSONResponse({"response_action": "errors", "errors": {UPDATE_BLOCK: outcome.message[:150]}})
    return Response(status_code=200)  # an empty 200 is Slack's acknowledgement


def _is_ssl_check(body: bytes) -> bool:
    """Slack's certificate check of a command URL: an unsigned `ssl_check=1` (plus the old
    verification token) that only wants a 200. Anything else in the form makes it a request."""
    try:
        form = parse_qs(body.decode("ascii"), keep_blank_values=True, max_num_fields=5)
    except (UnicodeDecodeError, ValueError):
        return False
    return form.get("ssl_check") == ["1"] and set(form) <= {"ssl_check", "token"}


@router.post("/slack/commands", response_model=None)
async def slack_command(request: Request, session: DbSession, today: Today) -> JSONResponse | Response:
    """`/tracker mine | overdue | help`, answered with an ephemeral message."""
    if _is_ssl_check(await request.body()):
        return Response(status_code=200)  # nothing is read or changed: no signature needed
    codec, body = await _verified_body(request)
    try:
        command = codec.parse_command(body)
    except ValueError as exc:
        raise InvalidInput(f"not a Slack command: {exc}", field="body") from exc
    base_url = request.app.state.settings.base_url

    def answer() -> dict[str, Any]:  # database work in a worker thread, never on the event loop
        person = person_for(session, command.slack_user_id)
        if person is None:
            return {"response_type": "ephemeral", "text": UNKNOWN_PERSON}
        headline, items = listing(session, person=person, action=command.action, base_url=base_url, today=today)
        return codec.command_reply(headline, items)

    return JSONResponse(await run_in_threadpool(answer))
