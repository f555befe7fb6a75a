"""Outbox handlers that send nudges (`slack.nudge`) and weekly digests (`slack.digest`).

Each handler reads what to send in one short transaction, calls Slack with no transaction
open, and records the outcome in another, committed right after the call.

The post / mark-sent window: the Nudge row (state pending) is recorded before anything is sent
and a nudge that is no longer pending is never sent again. Slack's chat.postMessage has no
idempotency key, so if the worker dies after Slack accepted the post but before `sent` is
committed (a few milliseconds), or the connection drops after the post (outcome unknown), the
retry posts the reminder a second time. The SDK itself never re-posts (client.py: no
connection-error retry for chat.postMessage; 429s are refusals and safe). We accept that rare
duplicate over losing a reminder; closing it fully would need conversations.history (scope
im:history) to look for the earlier post, which the emulator does not offer.
Escalations go to two places; the channel post is committed before the lead's DM, so a retry
after a failed DM does not post in the channel again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.actions.models import CLOSED_PHASES, ActionItem
from tracker.activity.service import record
from tracker.db import transaction
from tracker.messaging.ports import (
    Messenger,
    MessengerAuthFailed,
    MessengerError,
    MessengerTransient,
    NudgeMessage,
    Posted,
    RecipientNotFound,
    RecipientUnavailable,
)
from tracker.nudges.models import Nudge, NudgeKind, NudgeState
from tracker.nudges.posts import record_post
from tracker.outbox.models import OutboxMessage
from tracker.people.models import Person, Role, Team
from tracker.slack.outbound import queue_notice, queue_refresh
from tracker.worker.errors import GiveUp, RetryLater
from tracker.worker.runner import WorkerContext

log = logging.getLogger(__name__)
STALE_AFTER = timedelta(hours=36)  # a reminder queued longer ago than this is news no more
NOT_CONFIGURED = "Slack is not configured (TRACKER_SLACK__BOT_TOKEN); nothing was sent"


def messenger_of(ctx: WorkerContext) -> Messenger | None:
    return ctx.resources.get("messenger")


def programme_lead(session: Session, *, not_id: int | None) -> Person | None:
    """The CX lead to tell when a team has no (other) lead: the first active lead-role person."""
    stmt = select(Person).where(Person.role == Role.lead, Person.active.is_(True))
    if not_id is not None:
        stmt = stmt.where(Person.id != not_id)
    return session.scalars(stmt.order_by(Person.id).limit(1)).first()


def lead_for(session: Session, item: ActionItem, *, not_id: int | None) -> Person | None:
    """Who hears about an item's trouble: its team's lead, else the programme's lead."""
    team = session.get(Team, item.team_id)
    if team is not None and team.lead_id is not None and team.lead_id != not_id:
        lead = session.get(Person, team.lead_id)
        if lead is not None and lead.active:
            return lead
    return programme_lead(session, not_id=not_id)


@dataclass(frozen=True)
class Recipient:
    person_id: int
    slack_user_id: str | None
    email: str


@dataclass(frozen=True)
class NudgePlan:
    nudge_id: int
    item_id: int
    kind: NudgeKind
    message: NudgeMessage
    dm: Recipient | None  # the owner; for an escalation, the lead
    channel: str | None  # escalations: the team channel, unless already posted there


def _skip_reason(nudge: Nudge, item: ActionItem, now_date: object, now: object) -> str | None:
    if item.phase in CLOSED_PHASES:
        return f"the item is {item.phase.value}"
    if nudge.kind is not NudgeKind.escalation and nudge.recipient_id not in (None, item.owner_id):
        return "the item was reassigned"
    if nudge.kind in (NudgeKind.before_due, NudgeKind.due_today) and item.deadline < now_date:  # type: ignore[operator]
        return "stale: the deadline has passed since it was queued"
    if nudge.kind is NudgeKind.work_plan and item.work_plan_submitted_at is not None:
        return "the work plan was submitted"
    if nudge.created_at < now - STALE_AFTER:  # type: ignore[operator]
        return "stale: queued too long ago"
    return None


def _plan(session: Session, ctx: WorkerContext, nudge_id: int) -> NudgePlan | None:
    from tracker.nudges.messages import build_message

    nudge = session.get(Nudge, nudge_id)
    if nudge is None or nudge.state is not NudgeState.pending:
        return None  # gone with its item, or already handled by an earlier attempt
    item = session.get(ActionItem, nudge.action_item_id)
    if item is None:
        return None
    now = ctx.clock()
    reason = _skip_reason(nudge, item, now.date(), now)
    if reason is not None:
        nudge.state, nudge.error = NudgeState.skipped, reason
        return None
    settings = ctx.resources["settings"]
    message = build_message(session, item_id=item.id, kind=nudge.kind.value, base_url=settings.base_url)
    channel: str | None = None
    if nudge.kind is NudgeKind.escalation:
        person = lead_for(session, item, not_id=item.owner_id)
        team = session.get(Team, item.team_id)
        if team is not None and team.slack_channel and nudge.slack_ts is None:
            channel = team.slack_channel
    else:
        person = session.get(Person, nudge.recipient_id or item.owner_id)
    dm = Recipient(person.id, person.slack_user_id, person.email) if person is not None else None
    if dm is None and channel is None and nudge.slack_ts is None:
        _undeliverable(session, nudge, item, "no one to send it to (no owner, lead or team channel)")
        return None
    return NudgePlan(nudge.id, item.id, nudge.kind, message, dm, channel)


def _undeliverable(session: Session, nudge: Nudge, item: ActionItem, reason: str) -> None:
    """Failed, logged on the item, and a lead told (unless the lead was the one unreachable)."""
    nudge.state, nudge.error = NudgeState.failed, reason
    record(session, actor=None, actor_label="slack", entity_type="nudge", entity_id=nudge.id,
           action="nudge_failed", changes={"kind": nudge.kind.value, "reason": reason},
           action_item_id=item.id, moment_id=item.moment_id)
    if nudge.kind is NudgeKind.escalation:
        return  # it was addressed to the leads: the activity log is where this shows
    lead = lead_for(session, item, not_id=nudge.recipient_id or item.owner_id)
    if lead is not None:
        queue_notice(session, lead_id=lead.id, item_id=item.id, nudge_id=nudge.id, reason=reason)


def deliver_nudge(ctx: WorkerContext, message: object) -> None:
    nudge_id = int(message.payload["nudge_id"])  # type: ignore[attr-defined]
    messenger = messenger_of(ctx)
    with transaction(ctx.session_factory) as session:
        if messenger is None:
            nudge = session.get(Nudge, nudge_id)
            if nudge is not None and nudge.state is NudgeState.pending:
                nudge.state, nudge.error = NudgeState.failed, NOT_CONFIGURED
            raise GiveUp(NOT_CONFIGURED)
        plan = _plan(session, ctx, nudge_id)
    if plan is None:
        return
    try:
        if plan.channel:
            posted = messenger.post_nudge_to_channel(plan.channel, plan.message)
            _record_post(ctx, plan, posted, done=plan.dm is None)
        if plan.dm is not None:
            user = messenger.find_user(slack_user_id=plan.dm.slack_user_id, email=plan.dm.email)
            posted = messenger.send_nudge(user, plan.message)
            _record_post(ctx, plan, posted, done=True)
    except MessengerTransient as exc:
        raise RetryLater(str(exc), retry_after=exc.retry_after) from None
    except (RecipientNotFound, RecipientUnavailable) as exc:
        _settle_failure(ctx, plan, f"could not reach the recipient on Slack: {exc}")
    except MessengerAuthFailed as exc:
        _settle_failure(ctx, plan, str(exc), notify=False)
        raise GiveUp(str(exc)) from None
    except MessengerError as exc:  # e.g. invalid_blocks: a bug on our side, not worth retrying
        _settle_failure(ctx, plan, str(exc), notify=False)
        raise GiveUp(str(exc)) from None


def give_up_nudge(session: Session, message: OutboxMessage, reason: str) -> None:
    """Slack kept failing until the last attempt: the nudge is failed, with the reason, in the
    item's activity log (the lead is not DMed: Slack is what is failing)."""
    nudge = session.get(Nudge, int(message.payload["nudge_id"]))
    item = session.get(ActionItem, nudge.action_item_id) if nudge is not None else None
    if nudge is None or item is None or nudge.state is not NudgeState.pending:
        return
    nudge.state, nudge.error = NudgeState.failed, reason[:2000]
    record(session, actor=None, actor_label="slack", entity_type="nudge", entity_id=nudge.id,
           action="nudge_failed", changes={"kind": nudge.kind.value, "reason": reason},
           action_item_id=item.id, moment_id=item.moment_id)


def _record_post(ctx: WorkerContext, plan: NudgePlan, posted: Posted, *, done: bool) -> None:
    with transaction(ctx.session_factory) as session:
        nudge = session.get(Nudge, plan.nudge_id)
        if nudge is None:
            return
        # Every message is kept (an escalation's channel post and the lead's DM) so that each
        # follows the item from now on.
        record_post(session, nudge, channel=posted.channel, ts=posted.ts)
        if done:
            nudge.state, nudge.sent_at, nudge.error = NudgeState.sent, ctx.clock(), None
            _notices_resolved(session, nudge)
        _catch_up(session, ctx, plan, posted)


def _notices_resolved(session: Session, nudge: Nudge) -> None:
    """This nudge reached someone an earlier one could not: the lead's "couldn't reach" cards
    about them now say so (a person's fixed Slack identity changes no item, so no listener
    would redraw them)."""
    from tracker.nudges.notices import UNDELIVERABLE, notices_reached_by

    session.flush()
    for card in notices_reached_by(session, nudge):
        queue_refresh(session, channel=card.channel, ts=card.ts, item_id=nudge.action_item_id,
                      kind=UNDELIVERABLE, note=None, coalesce=True)


def _catch_up(session: Session, ctx: WorkerContext, plan: NudgePlan, posted: Posted) -> None:
    """The item may have changed between reading it and posting; that change's listener did not
    know this message yet, so queue the refresh it would have queued."""
    from tracker.nudges.messages import build_message

    if session.get(ActionItem, plan.item_id) is None:
        return
    current = build_message(session, item_id=plan.item_id, kind=plan.kind,
                            base_url=ctx.resources["settings"].base_url)
    if current != plan.message:
        queue_refresh(session, channel=posted.channel, ts=posted.ts, item_id=plan.item_id,
                      kind=plan.kind.value, note=None, coalesce=True)


def _settle_failure(ctx: WorkerContext, plan: NudgePlan, reason: str, *, notify: bool = True) -> None:
    with transaction(ctx.session_factory) as session:
        nudge = session.get(Nudge, plan.nudge_id)
        item = session.get(ActionItem, plan.item_id)
        if nudge is None or item is None or nudge.state is not NudgeState.pending:
            return
        if nudge.slack_ts is not None:  # an escalation reached the channel, not the lead
            nudge.state, nudge.sent_at, nudge.error = NudgeState.sent, ctx.clock(), reason
            record(session, actor=None, actor_label="slack", entity_type="nudge", entity_id=nudge.id,
                   action="nudge_partly_sent", changes={"reason": reason},
                   action_item_id=item.id, moment_id=item.moment_id)
        elif notify:
            _undeliverable(session, nudge, item, reason)
        else:
            nudge.state, nudge.error = NudgeState.failed, reason
            record(session, actor=None, actor_label="slack", entity_type="nudge", entity_id=nudge.id,
                   action="nudge_failed", changes={"kind": nudge.kind.value, "reason": reason},
                   action_item_id=item.id, moment_id=item.moment_id)
    log.warning("nudge %s not delivered: %s", plan.nudge_id, reason)


# The digest handler lives with the other Slack handlers; registered from here with the nudge one.
from tracker.slack.digest_delivery import deliver_digest  # noqa: E402

__all__ = ["deliver_digest", "deliver_nudge", "lead_for", "programme_lead"]
