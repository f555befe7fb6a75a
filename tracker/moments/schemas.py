from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tracker.api.input import Input
from tracker.api.params import DbId
from tracker.moments.status import MomentStatus


class Factors(Input):
    """The six prioritization factors, each 1..5 (3 when not given)."""

    model_config = ConfigDict(from_attributes=True)

    reach: int = Field(default=3, ge=1, le=5, description="How many customers meet it")
    severity: int = Field(default=3, ge=1, le=5, description="How badly it breaks the experience")
    emotional_weight: int = Field(default=3, ge=1, le=5, description="How strongly customers feel it")
    business_impact: int = Field(default=3, ge=1, le=5, description="Churn, revenue or cost at stake")
    effort: int = Field(default=3, ge=1, le=5, description="Effort to fix: 5 is the most work")
    confidence: int = Field(default=3, ge=1, le=5, description="How sure we are of the figures above")


class FactorsPatch(Input):
    reach: int | None = Field(default=None, ge=1, le=5)
    severity: int | None = Field(default=None, ge=1, le=5)
    emotional_weight: int | None = Field(default=None, ge=1, le=5)
    business_impact: int | None = Field(default=None, ge=1, le=5)
    effort: int | None = Field(default=None, ge=1, le=5)
    confidence: int | None = Field(default=None, ge=1, le=5)


class MomentCreate(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "First invoice arrives wrong",
                    "description": "New customers get an invoice that does not match their plan "
                    "and call support in their first month.",
                    "journey_map_id": 1,
                    "factors": {"reach": 4, "severity": 5, "emotional_weight": 4,
                                "business_impact": 4, "effort": 2, "confidence": 4},
                    "friction_point_ids": [],
                }
            ]
        }
    )

    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=20_000)
    journey_map_id: DbId | None = None
    factors: Factors = Field(default_factory=lambda: Factors())
    friction_point_ids: list[DbId] = Field(default_factory=list, max_length=500)


class MomentUpdate(Input):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"factors": {"effort": 4}, "version": 1}]}
    )

    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=20_000)
    journey_map_id: DbId | None = None
    factors: FactorsPatch | None = None
    version: int | None = Field(default=None, description="The version you edited (or send If-Match).")


class RankUpdate(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"rank": 1, "reason": "Board asked for churn drivers first this quarter",
                 "version": 1}
            ]
        }
    )

    rank: int | None = Field(
        None, ge=1, le=100_000, description="Pin at this position (1 = top); null unpins."
    )
    reason: str | None = Field(default=None, max_length=2000, description="Required when pinning.")
    version: int | None = None


class GroupFrictionPoints(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [{"friction_point_ids": [1]}]})

    friction_point_ids: list[DbId] = Field(min_length=1, max_length=500)


class WeightsIn(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"reach": 0.35, "severity": 0.3, "emotional_weight": 0.15,
                 "business_impact": 0.2}
            ]
        }
    )

    reach: float = Field(ge=0, allow_inf_nan=False)
    severity: float = Field(ge=0, allow_inf_nan=False)
    emotional_weight: float = Field(ge=0, allow_inf_nan=False)
    business_impact: float = Field(ge=0, allow_inf_nan=False)
    version: int | None = Field(
        None, description="Needed once a lead has saved weights (or send If-Match)."
    )


class WeightsOut(BaseModel):
    reach: float
    severity: float
    emotional_weight: float
    business_impact: float
    source: str = Field(description="`programme` (saved by a lead) or `default` (settings)")
    version: int | None
    updated_by_id: int | None
    updated_at: datetime | None
    moments_rescored: int | None = Field(default=None, description="Set on PUT: scores recomputed")


class MomentOut(BaseModel):
    id: int
    title: str
    description: str
    journey_map_id: int | None
    factors: Factors
    score: float
    rank: int = Field(description="Effective rank in the programme's priority list (1 = top)")
    rank_override: int | None
    rank_override_reason: str | None
    status: MomentStatus
    created_by_id: int | None
    created_at: datetime
    version: int


class FrictionBrief(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    journey_map_id: int
    step_id: int
    upstream_cause: str | None


class InvestigationBrief(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    status: str
    owner_id: int | None
    due_date: date | None
    root_cause_category: str | None


class MomentDetail(MomentOut):
    friction_points: list[FrictionBrief]
    investigations: list[InvestigationBrief]
    action_items_by_phase: dict[str, int]
    score_breakdown: dict[str, Any]
