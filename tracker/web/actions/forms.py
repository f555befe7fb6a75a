from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from tracker.actions.models import NotificationStatus, Phase


class PhaseMoveForm(BaseModel):
    to: Phase
    version: int = Field(ge=1, description="The item's version the page showed.")
    # The newest activity entry the page showed: on a stale version, what came after it is
    # what the other person changed.
    seen_activity: int = Field(0, ge=0)
    reason: str | None = Field(None, max_length=2000)


class _Seen(BaseModel):
    # The newest activity entry the page showed: a stale form lists what came after it.
    seen_activity: int = Field(0, ge=0)


class WorkPlanForm(_Seen):
    text: str = Field(min_length=1, max_length=20000)
    version: int = Field(ge=1, description="The item's version the page showed.")


class ProgressForm(_Seen):
    note: str = Field(min_length=1, max_length=5000)


class TrainingForm(_Seen):
    sessions_held: int = Field(ge=0, le=100000)
    people_trained: int = Field(ge=0, le=10000000)
    target_count: int = Field(ge=0, le=10000000)
    version: int = Field(ge=1, description="The training record's version the page showed.")


class ChecklistForm(_Seen):
    entry_id: int = Field(ge=1)
    status: NotificationStatus
    version: int = Field(ge=1, description="The entry's version the page showed.")


class WaiverForm(_Seen):
    what: Literal["training", "checklist"]
    reason: str = Field(min_length=1, max_length=2000)
    version: int = Field(ge=1)


class ResumeForm(_Seen):
    recreate: bool = False


class PlainForm(_Seen):
    """Buttons that send nothing but the page's place in the activity log (push, nudge)."""
