"""The lead's notice that a nudge could not reach its recipient, kept true as things change.

When a nudge cannot reach its recipient on Slack (no Slack user, deactivated, ...), the item's
activity log says so and a lead gets a card in a DM: "Couldn't reach Ana Silva on Slack", the
reason, and the item's buttons (tracker/slack/handlers.py, `deliver_notice`). The card is
recorded as a post of the failed nudge (role `notice`), so it is redrawn like every posted nudge
(tracker/slack/refresh.py): whenever the item changes what a card shows (phase, owner, deadline,
...), and once when a later nudge reaches that same person (tracker/nudges/delivery.py). What
it says is read when it is drawn:

- the item is done or cancelled: how and by whom it was closed (no buttons left);
- the item went to someone else: who owns it now;
- a later nudge reached the person: when (the headline goes back to how the deadline stands);
- otherwise: still "Couldn't reach ...", with the reason.

Its buttons are those of the item as it stands, like any refreshed nudge.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.actions.access import get_item
from tracker.actions.models import CLOSED_PHASES, ActionItem
from tracker.messaging.ports import NudgeMessage, Posted
from tracker.nudges.messages import build_message, closing_line
from tracker.nudges.models import Nudge, NudgeKind, NudgeState
from tracker.nudges.posts import notice_posts
from tracker.people.models import Person
from tracker.types import utcnow

UNDELIVERABLE = "undeliverable"  # the card's kind while the owner is still unreached


def notice_message(
    session: Session, *, failed: Nudge, base_url: str, note: str | None = None, now: datetime | None = None,
    reason: str | None = None,
) -> NudgeMessage:
    """The lead's card about `failed` (a nudge that did not reach its recipient), as things stand.

    `note`: a line after someone acted on the card in Slack ("Marked training by Maya")."""
    now = now or utcnow()
    item = get_item(session, failed.action_item_id)
    kind = NudgeKind.overdue if item.deadline < now.date() else NudgeKind.before_due
    message = build_message(session, item_id=item.id, kind=kind, base_url=base_url, now=now)
    status = _resolved(session, item, failed, message.owner_name)
    if status is None:
        return dataclasses.replace(message, kind=UNDELIVERABLE, note=note or reason or failed.error)
    return dataclasses.replace(message, note=f"{note} · {status}" if note else status)


def _resolved(session: Session, item: ActionItem, failed: Nudge, owner_name: str) -> str | None:
    """What has become of the failure, or None while the person is still unreached."""
    if item.phase in CLOSED_PHASES:
        return closing_line(session, item)
    unreached_id = failed.recipient_id or item.owner_id
    person = session.get(Person, unreached_id)
    name = person.name if person is not None else "The owner"
    if unreached_id != item.owner_id:
        return f"{owner_name} owns this item now ({name} could not be reached on Slack)."
    reached = first_reached(session, failed)
    if reached is not None and reached.sent_at is not None:
        return f"{name} was reached on Slack on {reached.sent_at:%d %b %Y}."
    return None


def first_reached(session: Session, failed: Nudge) -> Nudge | None:
    """The first nudge of the item that reached the person `failed` could not (itself, if it was
    retried and went out). Nudges of an item are sent in the order they were recorded (one
    ordering key per item), so "later" is a higher id."""
    if failed.recipient_id is None:
        return None
    return session.scalars(
        select(Nudge).where(Nudge.action_item_id == failed.action_item_id, Nudge.id >= failed.id,
                            Nudge.recipient_id == failed.recipient_id, Nudge.state == NudgeState.sent,
                            Nudge.kind != NudgeKind.escalation)
        .order_by(Nudge.id).limit(1)
    ).first()


def notices_reached_by(session: Session, sent: Nudge) -> list[Posted]:
    """The notices that `sent` (a nudge just marked sent) resolves: about its recipient, and not
    resolved by an earlier nudge already (those cards were redrawn then)."""
    if sent.kind is NudgeKind.escalation or sent.recipient_id is None:
        return []
    return [Posted(post.channel, post.ts) for post, failed in notice_posts(session, sent.action_item_id)
            if failed.recipient_id == sent.recipient_id and failed.id <= sent.id
            and (reached := first_reached(session, failed)) is not None and reached.id == sent.id]
