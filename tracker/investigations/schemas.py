from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tracker.api.input import Input
from tracker.api.params import DbId, PlanDate
from tracker.investigations.models import InvestigationStatus, RootCauseCategory

# One entry of a list of short texts (a hypothesis, an objective, a system met).
Line = Annotated[str, StringConstraints(max_length=1_000)]


class InvestigationCreate(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "moment_id": 1,
                    "title": "Why do first invoices not match the plan?",
                    "owner_id": 1,
                    "due_date": "2030-03-31",
                    "hypotheses": [
                        "Pro-rating rules differ between the sales quote and billing",
                        "The invoice PDF hides the plan name",
                    ],
                }
            ]
        }
    )

    moment_id: DbId
    title: str = Field(min_length=1, max_length=200)
    owner_id: DbId | None = None
    due_date: PlanDate | None = None
    hypotheses: list[Line] = Field(default_factory=list, max_length=100)
    friction_point_id: DbId | None = Field(
        None, description="When the work started from one friction point of the moment."
    )


class InvestigationUpdate(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "findings": "Sales quotes use calendar months; billing pro-rates by day.",
                    "root_cause": "Billing and sales use different pro-rating rules",
                    "root_cause_category": "process",
                    "root_cause_area": "billing",
                    "status": "concluded",
                    "version": 1,
                }
            ]
        }
    )

    title: str | None = Field(default=None, min_length=1, max_length=200)
    owner_id: DbId | None = None
    due_date: PlanDate | None = None
    hypotheses: list[Line] | None = Field(default=None, max_length=100)
    findings: str | None = Field(None, max_length=20_000)
    root_cause: str | None = Field(None, max_length=20_000)
    root_cause_category: RootCauseCategory | None = None
    root_cause_area: str | None = Field(default=None, max_length=200)
    status: InvestigationStatus | None = None
    version: int | None = Field(default=None, description="The version you edited (or send If-Match).")


class InvestigationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    moment_id: DbId
    friction_point_id: int | None
    title: str
    owner_id: int | None
    due_date: date | None
    hypotheses: list[str]
    findings: str
    root_cause: str | None
    root_cause_category: RootCauseCategory | None
    root_cause_area: str | None
    status: InvestigationStatus
    created_at: datetime
    version: int
