"""What a nudge says about an action item (`NudgeMessage`), in the tracker's terms.

The Slack adapter turns it into Block Kit; the same message is rebuilt whenever the item changes
(tracker/slack/refresh.py), with a `note` after someone acted on it in Slack, so it always shows
the item's current phase, deadline and buttons. A refreshed message says what it no longer asks:
a closed item's says when and by whom it was closed; an owner's old reminder about an item that
went to someone else says whose it is now (kind "reassigned", no buttons).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.actions import phases
from tracker.actions.access import get_item
from tracker.actions.models import CLOSED_PHASES, ActionItem, Phase
from tracker.actions.service import gate_state
from tracker.activity.models import ActivityEntry
from tracker.investigations.models import Investigation
from tracker.messaging.ports import NudgeMessage
from tracker.moments.models import MomentOfTruth
from tracker.nudges.models import NudgeKind, NudgePolicy, NudgeSchedule
from tracker.nudges.policy import Rules, local_date, zone
from tracker.people.models import Person
from tracker.sync.models import TicketLink
from tracker.sync.service import VENDOR_LABEL_PREFIXES
from tracker.types import utcnow


def main_line_next(item: ActionItem, gate: phases.GateState) -> Phase | None:
    """The forward step the "advance" button offers: the main line, never blocked/cancelled."""
    if item.phase in CLOSED_PHASES:
        return None
    allowed = phases.allowed_next(item, gate)
    if item.phase is Phase.implementing:
        skip_training = not gate.training_needed or gate.training_waived
        preferred = Phase.closing_loop if skip_training else Phase.training
        if preferred in allowed:
            return preferred
    forward = [p for p in allowed if p not in (Phase.blocked, Phase.cancelled)]
    return forward[0] if forward else None


def _moment_title(session: Session, item: ActionItem) -> str | None:
    moment_id = item.moment_id
    if moment_id is None and item.investigation_id is not None:
        moment_id = session.scalar(select(Investigation.moment_id)
                                   .where(Investigation.id == item.investigation_id))
    if moment_id is None:
        return None
    return session.scalar(select(MomentOfTruth.title).where(MomentOfTruth.id == moment_id))


def _rules(session: Session, item: ActionItem) -> Rules:
    return Rules.of(session.scalars(select(NudgePolicy).where(NudgePolicy.team_id == item.team_id)).first())


def can_snooze(session: Session, item: ActionItem) -> bool:
    if item.phase in CLOSED_PHASES:
        return False
    snoozes = session.scalar(select(NudgeSchedule.snoozes)
                             .where(NudgeSchedule.action_item_id == item.id)) or 0
    return snoozes < _rules(session, item).max_snoozes


def build_message(
    session: Session, *, item_id: int, kind: NudgeKind | str, base_url: str,
    note: str | None = None, now: datetime | None = None,
) -> NudgeMessage:
    """The message for a nudge of `kind` about the item, as it stands now."""
    item = get_item(session, item_id)
    owner = session.get(Person, item.owner_id)
    owner_today = local_date(now or utcnow(), zone(owner.timezone if owner else None))
    link = session.scalars(select(TicketLink).where(TicketLink.action_item_id == item.id)).first()
    next_phase = main_line_next(item, gate_state(session, item))
    return NudgeMessage(
        kind=kind.value if isinstance(kind, NudgeKind) else str(kind),
        action_item_id=item.id,
        title=item.title,
        deadline=item.deadline,
        phase=item.phase.value,
        next_phase=next_phase.value if next_phase else None,
        moment_title=_moment_title(session, item),
        owner_name=owner.name if owner else "nobody",
        days_to_deadline=(item.deadline - owner_today).days,
        item_url=f"{base_url.rstrip('/')}/action-items/{item.id}",
        ticket_url=link.remote_url if link is not None else None,
        can_snooze=can_snooze(session, item),
        note=note,
        snooze_days=_rules(session, item).snooze_days,
    )


def refreshed_message(
    session: Session, *, item_id: int, kind: NudgeKind | str, recipient_id: int | None, base_url: str,
    note: str | None = None, now: datetime | None = None,
) -> NudgeMessage:
    """A posted nudge re-rendered for the item as it stands now.

    `recipient_id` is who the nudge was addressed to (None for escalations, which speak to the
    lead and the team whoever owns the item)."""
    item = get_item(session, item_id)
    if kind == NudgeKind.work_plan and item.work_plan is not None:
        # The plan it asked for is in: what is left to say is how the deadline stands.
        kind, note = NudgeKind.before_due, note or "Work plan received."
    message = build_message(session, item_id=item_id, kind=kind, base_url=base_url, note=note, now=now)
    if message.kind != NudgeKind.escalation and recipient_id not in (None, item.owner_id):
        return dataclasses.replace(
            message, kind="reassigned", next_phase=None, can_snooze=False,
            note=note or f"{message.owner_name} owns this item now: nothing more to do here for you.")
    if item.phase in CLOSED_PHASES and note is None:
        return dataclasses.replace(message, note=closing_line(session, item))
    return message


def closing_line(session: Session, item: ActionItem) -> str:
    """"Done on 12 Mar 2026 by Maya Okafor": the last phase change, from the activity log."""
    entry = session.scalars(
        select(ActivityEntry)
        .where(ActivityEntry.action_item_id == item.id, ActivityEntry.action == "phase_changed")
        .order_by(ActivityEntry.id.desc()).limit(1)
    ).first()
    when = item.completed_at if item.phase is Phase.done else None
    when = when or (entry.at if entry is not None else None)
    line = "Done" if item.phase is Phase.done else "Cancelled"
    if when is not None:
        line += f" on {when:%d %b %Y}"
    if entry is not None:
        line += f" by {_who(session, entry)}"
    return line + "."


def _who(session: Session, entry: ActivityEntry) -> str:
    person = session.get(Person, entry.actor_id) if entry.actor_id is not None else None
    if person is not None:
        return person.name
    label = entry.actor_label
    for prefix in VENDOR_LABEL_PREFIXES:  # "jira:<accountId>": a change made in the ticket
        if label.startswith(prefix):
            # Several people when one ticket read applied their changes together
            # (tracker/sync/pull.py vendor_label): "jira:<id1>, <id2> and others".
            identities, others = label[len(prefix):], ""
            if identities.endswith(" and others"):
                identities, others = identities[: -len(" and others")], " and others"
            jira = prefix == "jira:"
            column = Person.jira_account_id if jira else Person.github_login
            names = [session.scalar(select(Person.name).where(column == identity).limit(1)) or identity
                     for identity in identities.split(", ")]
            return f"{', '.join(names)}{others} in {'Jira' if jira else 'GitHub'}"
    return label
