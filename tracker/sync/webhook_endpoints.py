"""Inbound webhooks from Jira and GitHub: no token, but a signature over the raw body."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from tracker.api.deps import DbSession
from tracker.errors import InvalidInput, NotAuthenticated, NotFound
from tracker.health.rejections import count_rejection
from tracker.sqlite_writers import prompt_writes
from tracker.sync.connections import NotConfigured, connection_named
from tracker.sync.inbound import receive_notice
from tracker.sync.ports import WebhookCodec
from tracker.sync.schemas import WebhookReceipt

router = APIRouter(tags=["webhooks"])


@router.post("/webhooks/{kind}/{connection}", response_model=WebhookReceipt, status_code=202,
             responses={200: {"model": WebhookReceipt, "description": "A redelivery, already received."}})
async def receive_webhook(kind: str, connection: str, request: Request, session: DbSession) -> JSONResponse:
    """A Jira or GitHub webhook for one configured connection; verified on the raw body."""
    codecs: dict[str, WebhookCodec] = getattr(request.app.state, "webhook_codecs", {})
    codec = codecs.get(kind)
    if codec is None:
        raise NotFound("webhook kind", kind)
    try:
        conn = connection_named(request.app.state.settings, connection)
    except NotConfigured as exc:
        raise NotFound("connection", connection) from exc
    if conn.kind != kind:
        raise NotFound("connection", f"{kind}/{connection}")
    body = await request.body()
    if not conn.webhook_secret or not codec.verify(conn.webhook_secret, body,
                                                   request.headers.get(codec.signature_header)):
        await count_rejection(request, f"{kind}:{connection}")  # shown on the integration health page
        raise NotAuthenticated(f"missing or invalid {codec.signature_header} signature")
    try:
        notice = codec.parse(request.headers, body)
    except ValueError as exc:
        raise InvalidInput(f"not a {kind} issue event: {exc}", field="body") from exc
    # Database work in a worker thread: on the event loop, a wait for a lock or a pooled
    # connection would stall every request of the process, including the one holding it.
    # The vendor times the answer (GitHub gives up after 10 s): on SQLite it writes first.
    with prompt_writes():
        receipt = await run_in_threadpool(receive_notice, session, kind=kind, connection_name=connection,
                                          connection=conn, notice=notice)
    status = 200 if receipt.outcome == "duplicate" else 202
    return JSONResponse({"outcome": receipt.outcome, "delivery_id": receipt.delivery_id}, status_code=status)
