"""Request and response bodies of the action-items API."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tracker.actions.models import ContactChannel, NotificationStatus, Phase, Priority
from tracker.api.input import Input
from tracker.api.params import MAX_ID, DbId, PlanDate, StrictBool

# PostgreSQL text cannot hold NUL characters; refuse them as input instead of failing on insert.
Text = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$")]
# Counts are 32-bit integers in the database.
Count = Annotated[int, Field(ge=0, le=MAX_ID)]

_VERSION = Field(None, description="The version you edited (or send If-Match).")


class ActionSort(StrEnum):
    deadline = "deadline"
    deadline_desc = "-deadline"
    created_at = "created_at"
    created_at_desc = "-created_at"
    updated_at = "updated_at"
    updated_at_desc = "-updated_at"


class ActionItemCreate(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "title": "Rewrite the invoice PDF so the amount due and due date come first",
        "description": "Customers call support because they cannot find what they owe.",
        "team_id": 1, "owner_id": 1, "deadline": "2031-03-31", "priority": "high",
        "training_needed": True, "training_audience": "Tier-1 billing support agents",
        "training_target": 24,
    }]})

    title: Text = Field(min_length=1, max_length=200)
    description: Text = Field("", max_length=20_000)
    team_id: DbId
    owner_id: DbId
    deadline: PlanDate
    priority: Priority = Priority.medium
    moment_id: DbId | None = Field(None, description="Defaults to the investigation's moment.")
    investigation_id: DbId | None = None
    training_needed: StrictBool = False
    training_audience: Text = Field("", max_length=300)
    training_target: Count = 0


class ActionItemUpdate(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "title": "Put the amount due and due date at the top of every invoice", "version": 1,
    }]})

    title: Text | None = Field(None, min_length=1, max_length=200)
    description: Text | None = Field(None, max_length=20_000)
    owner_id: DbId | None = Field(None, description="Leads only; resets assigned_at.")
    team_id: DbId | None = Field(None, description="Leads only.")
    deadline: PlanDate | None = Field(None, description="Leads only.")
    priority: Priority | None = Field(None, description="Leads only.")
    version: int | None = _VERSION


class PhaseChange(Input):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"to": "implementing", "version": 1}]}
    )

    to: Phase
    reason: Text | None = Field(None, max_length=2000,
                               description="Required for blocked and cancelled.")
    version: int | None = _VERSION


class WaiverCreate(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "what": "training", "version": 1,
        "reason": "Only the invoice layout changes; agents need no new script.",
    }]})

    what: Literal["training", "checklist"]
    reason: Text = Field(min_length=1, max_length=2000)
    version: int | None = _VERSION


class WorkPlanIn(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "text": "1. Mock up the new layout with billing. 2. Ship behind a flag. "
                "3. Switch all customers on 1 March.", "version": 1,
    }]})

    text: Text = Field(min_length=1, max_length=20000)
    version: int | None = _VERSION


class ProgressIn(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "note": "New layout approved by billing; development starts Monday.",
    }]})

    note: Text = Field(min_length=1, max_length=5000)


class ProgressOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    action_item_id: int
    author_id: int | None
    note: str
    created_at: datetime


class TrainingUpdate(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "needed": True, "sessions_held": 1, "people_trained": 12, "target_count": 24,
        "version": 1,
    }]})

    needed: StrictBool | None = None
    audience: Text | None = Field(None, max_length=300)
    sessions_held: Count | None = None
    people_trained: Count | None = None
    target_count: Count | None = None
    notes: Text | None = Field(None, max_length=5_000)
    version: int | None = _VERSION


class TrainingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    action_item_id: int
    needed: bool
    audience: str
    sessions_held: int
    people_trained: int
    target_count: int
    notes: str
    updated_at: datetime
    version: int


class ChecklistEntryCreate(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "customer_name": "Dana Whitfield", "contact": "dana.whitfield@example.org",
        "message": "Your invoices now show the amount due at the top. Thank you for telling us.",
    }]})

    customer_name: Text = Field(min_length=1, max_length=200)
    contact: Text = Field(min_length=1, max_length=320)
    channel: ContactChannel | None = Field(None, description="Guessed from contact when omitted.")
    message: Text = Field("", max_length=5_000)
    status: NotificationStatus = NotificationStatus.pending
    note: Text = Field("", max_length=5_000)


class ChecklistEntryUpdate(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "status": "notified", "channel": "email", "note": "Sent the release note by email.",
        "version": 1,
    }]})

    channel: ContactChannel | None = None
    message: Text | None = Field(None, max_length=5_000)
    status: NotificationStatus | None = None
    note: Text | None = Field(None, max_length=5_000)
    version: int | None = _VERSION


class ChecklistEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    action_item_id: int
    affected_customer_id: int | None
    customer_name: str
    contact: str
    channel: ContactChannel
    message: str
    status: NotificationStatus
    notified_at: datetime | None
    notified_by_id: int | None
    note: str
    version: int


class ActionItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    description: str
    team_id: int
    owner_id: int
    deadline: date
    priority: Priority
    phase: Phase
    phase_before_block: Phase | None
    blocked_reason: str | None
    moment_id: int | None
    investigation_id: int | None
    work_plan: str | None
    work_plan_submitted_at: datetime | None
    assigned_at: datetime
    training_waived_reason: str | None
    checklist_waived_reason: str | None
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int


class TrainingSummary(BaseModel):
    needed: bool
    waived: bool
    complete: bool
    sessions_held: int
    people_trained: int
    target_count: int


class ChecklistCounts(BaseModel):
    total: int
    pending: int
    notified: int
    acknowledged: int
    unreachable: int
    waived: bool


class Link(BaseModel):
    id: int
    title: str


class MomentLink(Link):
    journey_map_id: int | None


class ActionItemDetail(ActionItemOut):
    training: TrainingSummary
    checklist: ChecklistCounts
    allowed_next: list[Phase] = Field(description="The phases this item may move to now.")
    done_blockers: list[str] = Field(description="What stops it being done (training, checklist).")
    moment: MomentLink | None
    investigation: Link | None
