"""The action-item list query: filters first, then order by (sort column, id).

Ordering by exactly (deadline, id) after equality filters on owner/team/phase lets the
composite indexes (owner_id, phase, deadline, id), (team_id, phase, deadline, id),
(phase, deadline, id) and (deadline, id) serve both the filter and the order, so with keyset
pagination a page costs the same whatever the table size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, false, select, text
from sqlalchemy.orm import InstrumentedAttribute

from tracker.actions.models import OPEN_PHASES, OPEN_PHASES_SQL, ActionItem, Phase
from tracker.actions.schemas import ActionSort
from tracker.moments.models import MomentOfTruth

SORTS: dict[ActionSort, tuple[InstrumentedAttribute[Any], bool]] = {
    ActionSort.deadline: (ActionItem.deadline, False),
    ActionSort.deadline_desc: (ActionItem.deadline, True),
    ActionSort.created_at: (ActionItem.created_at, False),
    ActionSort.created_at_desc: (ActionItem.created_at, True),
    ActionSort.updated_at: (ActionItem.updated_at, False),
    ActionSort.updated_at_desc: (ActionItem.updated_at, True),
}


@dataclass(frozen=True)
class ActionFilters:
    owner_id: int | None = None
    team_id: int | None = None
    phases: Sequence[Phase] = ()
    moment_id: int | None = None
    investigation_id: int | None = None
    journey_map_id: int | None = None
    overdue: bool = False
    due_before: date | None = None


def list_query(filters: ActionFilters, *, today: date) -> Select[ActionItem]:
    stmt = select(ActionItem)
    if filters.owner_id is not None:
        stmt = stmt.where(ActionItem.owner_id == filters.owner_id)
    if filters.team_id is not None:
        stmt = stmt.where(ActionItem.team_id == filters.team_id)
    wanted: list[Phase] | None = list(dict.fromkeys(filters.phases)) or None
    if filters.overdue:
        # Overdue = deadline passed and still open. A positive phase list (not NOT IN) keeps the
        # phase-leading indexes usable.
        wanted = [p for p in (wanted or OPEN_PHASES) if p in OPEN_PHASES]
        stmt = stmt.where(ActionItem.deadline < today)
    if wanted is not None and set(wanted) == set(OPEN_PHASES):
        stmt = stmt.where(text(OPEN_PHASES_SQL))  # served by ix_action_items_open_deadline
    elif wanted is not None:
        stmt = stmt.where(ActionItem.phase.in_(wanted) if wanted else false())
    if filters.moment_id is not None:
        stmt = stmt.where(ActionItem.moment_id == filters.moment_id)
    if filters.investigation_id is not None:
        stmt = stmt.where(ActionItem.investigation_id == filters.investigation_id)
    if filters.journey_map_id is not None:
        moments = select(MomentOfTruth.id).where(
            MomentOfTruth.journey_map_id == filters.journey_map_id
        )
        stmt = stmt.where(ActionItem.moment_id.in_(moments))
    if filters.due_before is not None:
        stmt = stmt.where(ActionItem.deadline < filters.due_before)
    return stmt
