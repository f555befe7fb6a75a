"""`GET /journey-maps/{map_id}/pins`: a map's friction as its page pins it (tracker/friction/queries.py)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from tracker.actions.models import Phase
from tracker.friction.queries import FrictionPin


class PinFixOut(BaseModel):
    action_item_id: int
    title: str
    phase: Phase
    deadline: date
    overdue: bool
    owner_name: str


class PinMomentOut(BaseModel):
    id: int
    title: str
    severity: int = Field(description="The moment's severity, 1..5 (friction is rated when grouped).")


class PinOut(BaseModel):
    id: int
    step_id: int
    title: str
    upstream_cause: str | None
    moment: PinMomentOut | None
    fixes: list[PinFixOut] = Field(description="The most urgent fixes first: overdue, then open by "
                                   "deadline, then done; at most 5 unless this point was asked for in full.")
    fixes_total: int
    fixes_overdue: int
    fixes_done: int


def pin_out(pin: FrictionPin) -> PinOut:
    moment = pin.moment
    return PinOut(
        id=pin.id, step_id=pin.step_id, title=pin.title, upstream_cause=pin.upstream_cause,
        moment=PinMomentOut(id=moment.id, title=moment.title, severity=moment.severity) if moment else None,
        fixes=[PinFixOut(action_item_id=f.item_id, title=f.title, phase=f.phase, deadline=f.deadline,
                         overdue=f.overdue, owner_name=f.owner_name) for f in pin.fixes],
        fixes_total=pin.all_fixes.total, fixes_overdue=pin.all_fixes.overdue, fixes_done=pin.all_fixes.done)
