"""The health page's forms: typed, so a bad value is a 422 naming the field."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from tracker.api.params import DbId


class RetryForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    message_id: DbId


class ResumeForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    recreate: bool = False  # "true" makes a new ticket, as the API's ?recreate=true
