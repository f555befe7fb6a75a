"""`/integration-health`: the health page's figures as JSON, and retrying given-up messages."""

from __future__ import annotations

from fastapi import APIRouter, Request

from tracker.api.deps import DbSession, LeadOnly
from tracker.health import retry, service
from tracker.health.rejections import tally_of
from tracker.health.schemas import HealthOut, RetryIn, RetryOut
from tracker.types import utcnow

router = APIRouter(prefix="/integration-health", tags=["integration health"])


@router.get("", response_model=HealthOut)
def integration_health(request: Request, session: DbSession, lead: LeadOnly) -> HealthOut:
    """Per connection: last delivery, backlog, retries, given-up messages, broken links,
    reconciliation and webhooks; then the messages and links that need a person."""
    found = service.summary(session, actor=lead, settings=request.app.state.settings, now=utcnow(),
                            unwritten_rejections=tally_of(request.app.state).unwritten())
    return HealthOut.model_validate(found)


@router.post("/retry", response_model=RetryOut, status_code=202)
def retry_given_up(body: RetryIn, session: DbSession, lead: LeadOnly) -> RetryOut:
    """Put one given-up message (`message_id`) or all of them (`all: true`) back in the queue,
    attempts reset; a ticket link the give-up broke is resumed. The worker delivers them."""
    now = utcnow()
    if body.message_id is not None:
        one = retry.retry_message(session, actor=lead, message_id=body.message_id, now=now)
        left = retry.dead_count(session)
        return RetryOut.model_validate({"retried": [one], "still_dead": left})
    return RetryOut.model_validate(retry.retry_all(session, actor=lead, now=now))
