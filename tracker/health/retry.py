"""Putting given-up outbox messages back in the queue (the health page's "Retry", the API's).

A retried message is pending again with its attempts reset, due now, and the worker treats it
as new. What gave up also left its mark where people look, and that mark is undone with it, or
the handler would skip the message: a ticket link broken by the last attempt is resumed as a
lead's resume does (`resume_link`, logged as such), a failed reminder or digest is pending
again. Each retry is one entry in the activity log, naming who retried it and the error it had.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.actions.access import ensure_lead
from tracker.actions.models import ActionItem
from tracker.activity.service import record
from tracker.digests.models import DigestDelivery, DigestState
from tracker.errors import Conflict, NotFound
from tracker.nudges.models import Nudge, NudgeState
from tracker.outbox.models import OutboxMessage, OutboxState
from tracker.people.models import Person
from tracker.slack.outbound import DIGEST_KIND, NUDGE_KIND
from tracker.sync.models import LinkState, TicketLink
from tracker.sync.service import PULL_KIND, SYNC_KIND, link_for, resume_link

# "Retry all" takes at most this many per request, so one click cannot hold the database for
# long; the answer says how many are left.
RETRY_ALL_LIMIT = 500


@dataclass(frozen=True)
class Retried:
    message_id: int
    kind: str
    item_id: int | None
    link_resumed: bool


@dataclass(frozen=True)
class RetryOutcome:
    retried: list[Retried]
    still_dead: int


def retry_message(session: Session, *, actor: Person, message_id: int, now: datetime) -> Retried:
    """Retry one given-up message: 404 when there is no such message, 409 when it is not dead."""
    ensure_lead(actor, "retry given-up messages")
    message = session.scalar(select(OutboxMessage).where(OutboxMessage.id == message_id).with_for_update())
    if message is None:
        raise NotFound("outbox message", message_id)
    if message.state is not OutboxState.dead:
        raise Conflict(f"outbox message {message_id} is {message.state.value}, not given up: there is nothing "
                       "to retry", field="message_id")
    return _retry(session, actor, message, now)


def retry_all(session: Session, *, actor: Person, now: datetime, limit: int = RETRY_ALL_LIMIT) -> RetryOutcome:
    """Retry every given-up message (the oldest first, at most `limit` per call)."""
    ensure_lead(actor, "retry given-up messages")
    dead = list(session.scalars(select(OutboxMessage).where(OutboxMessage.state == OutboxState.dead)
                                .order_by(OutboxMessage.id).limit(limit).with_for_update(skip_locked=True)))
    retried = [_retry(session, actor, message, now) for message in dead]
    return RetryOutcome(retried, dead_count(session))


def dead_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(OutboxMessage)
                          .where(OutboxMessage.state == OutboxState.dead)) or 0


def _retry(session: Session, actor: Person, message: OutboxMessage, now: datetime) -> Retried:
    before = {"attempts": message.attempts, "last_error": message.last_error, "given_up_at": message.completed_at}
    message.state = OutboxState.pending
    message.attempts = 0
    message.available_at = now
    message.lease_owner = message.lease_expires_at = message.completed_at = None
    message.last_error = None
    session.flush()  # pending before a resume queues its sync: that one folds into this message
    item_id, resumed = _undo_give_up(session, actor, message.kind, dict(message.payload or {}))
    moment_id = session.scalar(select(ActionItem.moment_id).where(ActionItem.id == item_id)) if item_id else None
    record(session, actor=actor, entity_type="outbox_message", entity_id=message.id, action="retried",
           changes={"kind": message.kind, **before, "link_resumed": resumed},
           action_item_id=item_id, moment_id=moment_id)
    return Retried(message.id, message.kind, item_id, resumed)


def _undo_give_up(session: Session, actor: Person, kind: str, payload: dict[str, Any]) -> tuple[int | None, bool]:
    """Undo what giving up recorded (see tracker/worker/handlers.py's give-up hooks); returns
    the action item concerned, if any, and whether its ticket link was resumed."""
    item_id: int | None = None
    if kind == SYNC_KIND:
        item_id = int(payload["action_item_id"])
    elif kind == PULL_KIND:
        link = session.get(TicketLink, int(payload["link_id"]))
        item_id = link.action_item_id if link is not None else None
    elif kind == NUDGE_KIND:
        nudge = session.get(Nudge, int(payload["nudge_id"]))
        if nudge is not None:
            item_id = nudge.action_item_id
            if nudge.state is NudgeState.failed:
                nudge.state, nudge.error = NudgeState.pending, None
    elif kind == DIGEST_KIND:
        delivery = session.get(DigestDelivery, int(payload["delivery_id"]))
        if delivery is not None and delivery.state is DigestState.failed:
            delivery.state, delivery.error = DigestState.pending, None
    if kind in (SYNC_KIND, PULL_KIND) and item_id is not None:
        link = link_for(session, item_id)
        if link is not None and link.state is LinkState.broken:
            resume_link(session, actor=actor, item_id=item_id, recreate=False)
            return item_id, True
    return item_id, False
