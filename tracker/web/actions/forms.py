from __future__ import annotations

from pydantic import BaseModel, Field

from tracker.actions.models import Phase


class PhaseMoveForm(BaseModel):
    to: Phase
    version: int = Field(ge=1, description="The item's version the page showed.")
    # The newest activity entry the page showed: on a stale version, what came after it is
    # what the other person changed.
    seen_activity: int = Field(0, ge=0)
    reason: str | None = Field(None, max_length=2000)
