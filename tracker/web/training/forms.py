"""The training page's one form: a session held, with how many people it trained."""

from __future__ import annotations

from pydantic import BaseModel, Field

from tracker.actions.training import MAX_PEOPLE_PER_SESSION


class SessionForm(BaseModel):
    people: int = Field(ge=0, le=MAX_PEOPLE_PER_SESSION, description="People trained in this session.")
    version: int = Field(ge=1, description="The training record's version the page showed.")
