"""Outbox handlers for the Slack side: apply a click, refresh a posted nudge, respond, notice a lead.

All are safe to run twice: a click is recorded under its de-duplication key with the change it
made, chat.update writes the same content again, an ephemeral answer repeated is harmless, and a
notice is only ever about one failed nudge.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from tracker.actions.models import ActionItem
from tracker.activity.service import record
from tracker.activity.source import Source, acting_from
from tracker.db import transaction
from tracker.messaging.ports import (
    MessengerAuthFailed,
    MessengerError,
    MessengerTransient,
    NudgeMessage,
    Posted,
    RecipientNotFound,
    RecipientUnavailable,
)
from tracker.nudges.models import Nudge, PostRole
from tracker.nudges.posts import forget_post, record_post
from tracker.people.models import Person
from tracker.slack.outbound import interaction_from_payload, queue_refresh
from tracker.slack.refresh import post_posted_as
from tracker.slack.service import apply_interaction
from tracker.worker.errors import GiveUp, RetryLater
from tracker.worker.runner import WorkerContext

log = logging.getLogger(__name__)


def _messenger(ctx: WorkerContext) -> Any:
    messenger = ctx.resources.get("messenger")
    if messenger is None:
        raise GiveUp("Slack is not configured (TRACKER_SLACK__BOT_TOKEN); nothing was sent")
    return messenger


def _fault(exc: MessengerError, what: str) -> Exception:
    """Transient -> retry; anything else: there is nothing left to do for this message."""
    if isinstance(exc, MessengerTransient):
        return RetryLater(f"{what}: {exc}", retry_after=exc.retry_after)
    return GiveUp(f"{what}: {exc}")


def deliver_interaction(ctx: WorkerContext, message: Any) -> None:
    """Apply a button press stored by the endpoint. Its answer and the redrawn message are
    queued in the same transaction (see `apply_interaction`), so they go out only if it held."""
    with acting_from(Source.slack), transaction(ctx.session_factory) as session:
        apply_interaction(session, interaction_from_payload(dict(message.payload)))


def deliver_refresh(ctx: WorkerContext, message: Any) -> None:
    """Re-render a posted nudge (chat.update) with the item's state now and an optional note.

    A message Slack no longer has (deleted, its channel gone or archived) is forgotten, so later
    changes queue nothing for it; that is logged, and the outbox message ends as done.
    """
    from tracker.nudges.messages import refreshed_message
    from tracker.nudges.notices import notice_message

    p = message.payload
    item_id, posted = int(p["item_id"]), Posted(channel=str(p["channel"]), ts=str(p["ts"]))
    messenger = _messenger(ctx)
    base_url = ctx.resources["settings"].base_url
    with transaction(ctx.session_factory) as session:
        if session.get(ActionItem, item_id) is None:
            return  # deleted: nothing to show
        found = post_posted_as(session, item_id, posted)
        post, nudge = found if found is not None else (None, None)
        if post is not None and nudge is not None and post.role == PostRole.notice:
            card = notice_message(session, failed=nudge, base_url=base_url, note=p.get("note"), now=ctx.clock())
        else:
            card = refreshed_message(session, item_id=item_id, kind=nudge.kind if nudge else str(p["kind"]),
                                     recipient_id=nudge.recipient_id if nudge else None,
                                     base_url=base_url, note=p.get("note"))
    try:
        messenger.update_nudge(posted, card)
    except RecipientUnavailable as exc:
        _forget(ctx, item_id, posted, str(exc))
    except MessengerError as exc:
        raise _fault(exc, "refreshing the Slack message") from None


def _forget(ctx: WorkerContext, item_id: int, posted: Posted, reason: str) -> None:
    with transaction(ctx.session_factory) as session:
        forget_post(session, channel=posted.channel, ts=posted.ts)
    log.info("Slack message %s/%s about item %s can no longer be updated (%s); no longer refreshed",
             posted.channel, posted.ts, item_id, reason)


def deliver_response(ctx: WorkerContext, message: Any) -> None:
    """An ephemeral answer through the interaction's response_url."""
    respond = ctx.resources.get("slack_respond")
    if respond is None:
        raise GiveUp("Slack is not configured; the answer to the person was not sent")
    try:
        respond(str(message.payload["response_url"]), dict(message.payload["body"]))
    except MessengerError as exc:
        raise _fault(exc, "answering in Slack") from None


def deliver_notice(ctx: WorkerContext, message: Any) -> None:
    """Tell a lead that an owner could not be reached: a DM with the item and the reason.

    The DM is recorded as a post of the failed nudge, so it follows the item from then on and
    says when the owner is reached (tracker/nudges/notices.py). Like a nudge it is sent at least
    once: a retry after Slack took the post but before it was recorded posts it again, and only
    the recorded copy is kept up to date. If the lead cannot be reached either, that goes to the
    activity log and stops there.
    """
    from tracker.nudges.messages import build_message
    from tracker.nudges.notices import notice_message

    p = message.payload
    messenger = _messenger(ctx)
    base_url = ctx.resources["settings"].base_url
    nudge_id = int(p["nudge_id"]) if p.get("nudge_id") is not None else None  # older notices: none
    with transaction(ctx.session_factory) as session:
        lead = session.get(Person, int(p["lead_id"]))
        item = session.get(ActionItem, int(p["item_id"]))
        if lead is None or item is None or not lead.active:
            return
        failed = session.get(Nudge, nudge_id) if nudge_id is not None else None
        if failed is not None and failed.action_item_id == item.id:
            card = notice_message(session, failed=failed, base_url=base_url, now=ctx.clock(),
                                  reason=str(p["reason"]))
        else:
            kind = "overdue" if item.deadline < ctx.clock().date() else "before_due"
            card = build_message(session, item_id=item.id, kind=kind, base_url=base_url)
            card = dataclasses.replace(card, kind="undeliverable", note=str(p["reason"]))
            nudge_id = None
        to = (lead.slack_user_id, lead.email, lead.name)
    try:
        posted = messenger.send_nudge(messenger.find_user(slack_user_id=to[0], email=to[1]), card)
    except (RecipientNotFound, RecipientUnavailable) as exc:
        with transaction(ctx.session_factory) as session:
            found = session.get(ActionItem, int(p["item_id"]))
            record(session, actor=None, actor_label="slack", entity_type="action_item",
                   entity_id=int(p["item_id"]), action="lead_unreachable",
                   changes={"lead": to[2], "reason": str(exc), "about": str(p["reason"])},
                   action_item_id=int(p["item_id"]), moment_id=found.moment_id if found else None)
        log.warning("could not tell lead %s about item %s: %s", to[2], p["item_id"], exc)
        return
    except MessengerAuthFailed as exc:
        raise GiveUp(f"telling the lead: {exc}") from None
    except MessengerError as exc:
        raise _fault(exc, "telling the lead") from None
    if nudge_id is not None:
        _record_notice(ctx, nudge_id, posted, card, str(p["reason"]))


def _record_notice(ctx: WorkerContext, nudge_id: int, posted: Posted, sent: NudgeMessage, reason: str) -> None:
    """Keep the lead's card as a post of the failed nudge; if the item or the owner's reach
    changed while it was being sent, that change's refresh did not know the card yet: queue it."""
    from tracker.nudges.notices import UNDELIVERABLE, notice_message

    with transaction(ctx.session_factory) as session:
        failed = session.get(Nudge, nudge_id)
        if failed is None or session.get(ActionItem, failed.action_item_id) is None:
            return
        record_post(session, failed, channel=posted.channel, ts=posted.ts, role=PostRole.notice)
        current = notice_message(session, failed=failed, base_url=ctx.resources["settings"].base_url,
                                 now=ctx.clock(), reason=reason)
        if current != sent:
            queue_refresh(session, channel=posted.channel, ts=posted.ts, item_id=failed.action_item_id,
                          kind=UNDELIVERABLE, note=None, coalesce=True)
