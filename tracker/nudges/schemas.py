from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from tracker.api.input import Input
from tracker.nudges.models import NudgeKind, NudgeState


class NudgePolicyOut(BaseModel):
    team_id: int
    days_before_due: int
    remind_on_due_day: bool
    overdue_every_days: int
    escalate_after_overdue_days: int
    work_plan_after_days: int
    max_snoozes: int
    snooze_days: int
    workday_start_hour: int
    workday_end_hour: int
    skip_weekends: bool
    is_default: bool = Field(description="True while the team has no policy of its own.")
    version: int = Field(description="0 for the defaults; send it back with your change.")


class NudgePolicyUpdate(Input):
    """Fields left out keep their current value."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{
            "days_before_due": 3, "overdue_every_days": 2, "escalate_after_overdue_days": 4,
            "workday_start_hour": 8, "workday_end_hour": 18, "version": 0,
        }]},
    )

    days_before_due: int | None = Field(None, ge=0, le=30, description="0: no reminder before.")
    remind_on_due_day: bool | None = None
    overdue_every_days: int | None = Field(None, ge=1, le=30)
    escalate_after_overdue_days: int | None = Field(None, ge=1, le=90)
    work_plan_after_days: int | None = Field(None, ge=0, le=60, description="0: no work-plan reminder.")
    max_snoozes: int | None = Field(None, ge=0, le=10)
    snooze_days: int | None = Field(None, ge=1, le=14)
    workday_start_hour: int | None = Field(None, ge=0, le=23)
    workday_end_hour: int | None = Field(None, ge=1, le=24)
    skip_weekends: bool | None = None
    version: int | None = Field(None, ge=0, description="The version you edited (or send If-Match).")


class NudgeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    action_item_id: int
    kind: NudgeKind
    slot: str
    recipient_id: int | None
    state: NudgeState
    created_at: datetime
    sent_at: datetime | None
    error: str | None


class SnoozeOut(BaseModel):
    action_item_id: int
    snoozed_until: datetime
    snoozes: int
    max_snoozes: int
    next_check_at: datetime | None = Field(description="When the item is next looked at.")
