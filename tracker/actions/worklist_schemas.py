"""`GET /my-work`: the work list of the caller, as `/app/my-work` shows it (tracker/actions/worklist.py)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from tracker.actions.models import Phase
from tracker.actions.schemas import ActionItemOut
from tracker.actions.worklist import MyWork, WorkRow
from tracker.sync.schemas import LinkOut


class BlockerOut(BaseModel):
    kind: str = Field(description="blocked, work_plan, training, checklist or ticket.")
    text: str = Field(description="What stands in the way, in the words the owner acts on.")


class NextStepOut(BaseModel):
    to: Phase
    label: str = Field(description="What the Slack reminder's button says, e.g. 'Mark implementing'.")
    held_by: list[str] = Field(description="Done blockers that hold the step back (training, checklist).")


class SnoozeOut(BaseModel):
    used: int
    limit: int = Field(description="The team's max_snoozes.")
    days: int = Field(description="How long one snooze holds the reminders (the team's snooze_days).")
    until: datetime | None = Field(description="Reminders are held until then, while still ahead.")
    allowed: bool


class WorkRowOut(BaseModel):
    item: ActionItemOut
    team: str
    ticket: LinkOut | None
    overdue: bool
    days_left: int = Field(description="Days to the deadline; negative once overdue.")
    blockers: list[BlockerOut]
    next_step: NextStepOut | None
    snooze: SnoozeOut
    can_act: bool = Field(description="Whether the caller may act on it (its owner, a lead or an admin).")


class MyWorkOut(BaseModel):
    rows: list[WorkRowOut] = Field(description="Open items by deadline, most urgent first (at most 200).")
    total: int = Field(description="Open items in all.")
    overdue: int
    finished: list[ActionItemOut] = Field(description="Done in the last 14 days, newest first.")


def row_out(row: WorkRow) -> WorkRowOut:
    return WorkRowOut(
        item=ActionItemOut.model_validate(row.item), team=row.team,
        ticket=LinkOut.model_validate(row.link) if row.link is not None else None,
        overdue=row.overdue, days_left=row.days_left,
        blockers=[BlockerOut(kind=b.kind, text=b.text) for b in row.blockers],
        next_step=(NextStepOut(to=row.next_step.to, label=row.next_step.label, held_by=row.next_step.held_by)
                   if row.next_step is not None else None),
        snooze=SnoozeOut(used=row.snooze.used, limit=row.snooze.limit, days=row.snooze.days,
                         until=row.snooze.until, allowed=row.snooze.allowed),
        can_act=row.can_act)


def my_work_out(work: MyWork) -> MyWorkOut:
    return MyWorkOut(rows=[row_out(r) for r in work.rows], total=work.total, overdue=work.overdue,
                     finished=[ActionItemOut.model_validate(i) for i in work.finished])
