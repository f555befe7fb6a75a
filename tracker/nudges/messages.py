"""What a nudge says about an action item (`NudgeMessage`), in the tracker's terms.

The Slack adapter turns it into Block Kit; the same message is rebuilt after someone acts on it
(with a `note`), so it always shows the item's current phase, deadline and buttons.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.actions import phases
from tracker.actions.access import get_item
from tracker.actions.models import CLOSED_PHASES, ActionItem, Phase
from tracker.actions.service import gate_state
from tracker.investigations.models import Investigation
from tracker.messaging.ports import NudgeMessage
from tracker.moments.models import MomentOfTruth
from tracker.nudges.models import NudgeKind, NudgePolicy, NudgeSchedule
from tracker.nudges.policy import Rules, local_date, zone
from tracker.people.models import Person
from tracker.sync.models import TicketLink
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


def can_snooze(session: Session, item: ActionItem) -> bool:
    if item.phase in CLOSED_PHASES:
        return False
    rules = Rules.of(session.scalars(select(NudgePolicy).where(NudgePolicy.team_id == item.team_id)).first())
    snoozes = session.scalar(select(NudgeSchedule.snoozes)
                             .where(NudgeSchedule.action_item_id == item.id)) or 0
    return snoozes < rules.max_snoozes


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
    )
