"""The digest pages' forms: sharing a digest as a read-only link, and revoking one.

The service (tracker.digests.share) checks the ranges and says what is wrong by field; these
models only bound the input's size and type.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from tracker.api.params import MAX_ID
from tracker.digests.share import NOTE_MAX


class ShareForm(BaseModel):
    scope: str = Field(max_length=40, description="`programme` or `team-<id>`, as in the page's URL.")
    week: str = Field(max_length=10, description="An ISO week (2026-W47), or `current`.")
    days: int = Field(description="How long the link works, in days.")
    note: str = Field(default="", max_length=NOTE_MAX, description="Who it is for (leads see it).")


class RevokeForm(BaseModel):
    link_id: int = Field(ge=1, le=MAX_ID)
