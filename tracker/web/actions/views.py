"""What an action item's page shows, read through the services the API uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.actions import checklist, phases, service
from tracker.actions.access import is_lead, may_edit
from tracker.actions.models import CLOSED_PHASES, ActionItem, ChecklistEntry, Phase, ProgressUpdate
from tracker.activity.models import ActivityEntry
from tracker.activity.service import activity_query
from tracker.nudges.models import Nudge
from tracker.people.models import Person, Role, Team
from tracker.sync.models import TicketLink
from tracker.sync.service import link_for

ACTIVITY_SHOWN = 30
UPDATES_SHOWN = 10
ENTRIES_SHOWN = 200  # customers to tell; the API pages through the rest
NUDGES_SHOWN = 10


@dataclass(frozen=True)
class PhaseMove:
    to: Phase
    label: str  # what the button says
    needs_reason: bool
    blocked_by: list[str]  # done-gate blockers: the button is shown, disabled, with the reason


def move_label(current: Phase, target: Phase) -> str:
    """Buttons say what the move means: reopening a done item is not "moving to implementing"."""
    if current is Phase.done:
        return "Reopen"
    if current is Phase.cancelled:
        return "Reinstate"
    if current is Phase.blocked:
        return f"Unblock (back to {target.value.replace('_', ' ')})"
    if target is Phase.blocked:
        return "Block"
    if target is Phase.cancelled:
        return "Cancel the item"
    if target is Phase.done:
        return "Mark done"
    return f"Move to {target.value.replace('_', ' ')}"


@dataclass(frozen=True)
class ItemPage:
    detail: service.ItemDetail
    owner: Person
    team: Team
    link: TicketLink | None
    overdue: bool
    can_edit: bool
    moves: list[PhaseMove]
    activity: list[ActivityEntry]
    latest_activity_id: int
    updates: list[ProgressUpdate]
    entries: list[ChecklistEntry]
    nudges: list[Nudge]
    lead: bool  # may waive, push to a ticket, resume a link, nudge
    can_work_checklist: bool

    @property
    def item(self) -> ActionItem:
        return self.detail.item


def moves_for(person: Person, detail: service.ItemDetail) -> list[PhaseMove]:
    """The allowed next phases this person may take (the service re-checks every one)."""
    return moves_from(person, detail.item, detail.gate, detail.allowed_next)


def moves_from(person: Person, item: ActionItem, gate: phases.GateState,
               allowed_next: list[Phase]) -> list[PhaseMove]:
    """`moves_for` from parts: the board has the gate of many items without an ItemDetail each."""
    if not may_edit(person, item):
        return []
    lead = is_lead(person)
    moves = []
    for target in allowed_next:
        lead_only = target in phases.LEAD_ONLY_TARGETS or item.phase in phases.LEAD_ONLY_SOURCES
        if lead_only and not lead:
            continue
        blockers = phases.done_blockers(gate) if target is Phase.done else []
        moves.append(PhaseMove(to=target, label=move_label(item.phase, target),
                               needs_reason=target in phases.NEEDS_REASON, blocked_by=blockers))
    return moves


def item_page(session: Session, *, person: Person, item_id: int, today: date) -> ItemPage:
    detail = service.item_detail(session, item_id)
    item = detail.item
    owner = session.get(Person, item.owner_id)
    team = session.get(Team, item.team_id)
    assert owner is not None and team is not None  # foreign keys with RESTRICT
    activity = list(session.scalars(activity_query(action_item_id=item.id)
                                    .order_by(ActivityEntry.id.desc()).limit(ACTIVITY_SHOWN)))
    latest = session.scalar(select(func.max(ActivityEntry.id)).where(ActivityEntry.action_item_id == item.id))
    updates = list(session.scalars(select(ProgressUpdate).where(ProgressUpdate.action_item_id == item.id)
                                   .order_by(ProgressUpdate.id.desc()).limit(UPDATES_SHOWN)))
    return ItemPage(
        detail=detail, owner=owner, team=team, link=link_for(session, item.id),
        overdue=item.deadline < today and item.phase not in CLOSED_PHASES,
        can_edit=may_edit(person, item), moves=moves_for(person, detail), activity=activity,
        latest_activity_id=latest or 0, updates=updates,
        entries=list(session.scalars(checklist.entries_query(item.id).order_by(ChecklistEntry.id)
                                     .limit(ENTRIES_SHOWN))),
        nudges=list(session.scalars(select(Nudge).where(Nudge.action_item_id == item.id)
                                    .order_by(Nudge.id.desc()).limit(NUDGES_SHOWN))),
        lead=is_lead(person), can_work_checklist=person.role is not Role.viewer,
    )


def changes_since(session: Session, *, item_id: int, after_activity_id: int) -> list[ActivityEntry]:
    """What others did to the item after the page was drawn: shown when an edit was stale."""
    return list(session.scalars(activity_query(action_item_id=item_id)
                                .where(ActivityEntry.id > after_activity_id).order_by(ActivityEntry.id)))
