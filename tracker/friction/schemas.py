"""Friction point request/response models: the point, its evidence and affected customers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tracker.api.params import MAX_ID, DbId
from tracker.friction.models import EvidenceSource
from tracker.journeys.schemas import Clean

_EVIDENCE_EXAMPLE: dict[str, Any] = {
    "source": "support_tickets",
    "note": "37 tickets in March mention the 'adjustment' line",
    "link": "https://support.example.com/views/invoice-adjustments",
}
_CUSTOMER_EXAMPLE: dict[str, Any] = {
    "name": "Dana Ruiz", "contact": "dana@ruizbakery.example", "segment": "SMB",
}


def check_link(value: str | None) -> str | None:
    """Evidence links are web addresses people click; blank means none."""
    value = (value or "").strip()
    if not value:
        return None
    if not value.lower().startswith(("http://", "https://")):
        raise ValueError("link must be an http:// or https:// address")
    return value


class EvidenceIn(Clean):
    model_config = ConfigDict(json_schema_extra={"examples": [_EVIDENCE_EXAMPLE]})

    source: EvidenceSource
    note: str = Field("", max_length=5_000)
    link: str | None = Field(None, max_length=1000)

    @field_validator("link")
    @classmethod
    def _web_link(cls, value: str | None) -> str | None:
        return check_link(value)


class CustomerIn(Clean):
    model_config = ConfigDict(json_schema_extra={"examples": [_CUSTOMER_EXAMPLE]})

    name: str = Field(min_length=1, max_length=200)
    contact: str = Field(min_length=1, max_length=320, description="Email, phone or handle.")
    segment: str | None = Field(None, max_length=100)


class FrictionCreate(Clean):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "step_id": 1,
        "title": "Unexplained 'adjustment' line on the invoice",
        "description": "Customers cannot tell what the adjustment is for and call support.",
        "upstream_cause": "billing",
        "evidence": [_EVIDENCE_EXAMPLE],
        "affected_customers": [_CUSTOMER_EXAMPLE],
    }]})

    step_id: DbId = Field(description="The step where it happens; the map is taken from it.")
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=20_000)
    upstream_cause: str | None = Field(
        None, max_length=120, description="The department or cause upstream, e.g. 'billing'."
    )
    evidence: list[EvidenceIn] = Field(default_factory=list)
    affected_customers: list[CustomerIn] = Field(default_factory=list)


class FrictionUpdate(Clean):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"upstream_cause": "documentation", "version": 1}
    ]})

    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=20_000)
    upstream_cause: str | None = Field(None, max_length=120)
    step_id: DbId | None = Field(None, description="Another step of the same journey map.")
    moment_id: DbId | None = Field(None, description="The moment of truth it belongs to, or null.")
    version: int | None = Field(
        None, ge=1, le=MAX_ID, description="The version you edited (or send If-Match)."
    )


class EvidenceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    friction_point_id: int
    source: EvidenceSource
    note: str
    link: str | None


class CustomerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    friction_point_id: int
    name: str
    contact: str
    segment: str | None


class FrictionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    journey_map_id: int
    step_id: int
    moment_id: int | None
    title: str
    description: str
    upstream_cause: str | None
    created_by_id: int | None
    created_at: datetime
    version: int


class FrictionDetail(FrictionOut):
    journey_map_name: str
    stage_id: int
    stage_name: str
    step_name: str
    evidence: list[EvidenceOut]
    affected_customers: list[CustomerOut]


class ImportReportOut(BaseModel):
    dry_run: bool
    rows: int = Field(description="Data rows read (blank lines are not counted).")
    friction_points_created: int
    friction_points_updated: int = Field(
        description="Existing points (same title at the same step) that got new evidence/customers."
    )
    evidence_added: int
    affected_customers_added: int
    friction_point_ids: list[int] = Field(description="Created or updated; empty on a dry run.")
