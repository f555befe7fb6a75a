from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from tracker.actions.models import Priority
from tracker.api.input import Input
from tracker.api.params import DbId, PlanDate, StrictBool

# One entry of a list of short texts (a hypothesis, an objective, a system met).
Line = Annotated[str, StringConstraints(max_length=1_000)]


class PromoteSource(Input):
    friction_point_id: DbId | None = None
    moment_id: DbId | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> PromoteSource:
        if (self.friction_point_id is None) == (self.moment_id is None):
            raise ValueError("give exactly one of friction_point_id or moment_id")
        return self


class InvestigationSeed(Input):
    title: str | None = Field(default=None, min_length=1, max_length=200,
                              description="Default: 'Root cause: <friction point or moment>'")
    owner_id: DbId | None = Field(default=None, description="Default: the lead who promotes")
    due_date: PlanDate | None = None
    hypotheses: list[Line] = Field(default_factory=list, max_length=100)


class ActionItemSeed(Input):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=20_000)
    team_id: DbId
    owner_id: DbId
    deadline: PlanDate
    priority: Priority = Priority.medium
    training_needed: StrictBool = False


class PromoteIn(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "source": {"friction_point_id": 1},
                    "investigation": {
                        "title": "Why is VAT shown twice on the invoice PDF?",
                        "owner_id": 1,
                        "due_date": "2030-02-28",
                        "hypotheses": ["The PDF template adds VAT to a gross total"],
                    },
                    "action_items": [
                        {
                            "title": "Fix the VAT line in the invoice template",
                            "description": "Show net, VAT and gross once each.",
                            "team_id": 1,
                            "owner_id": 1,
                            "deadline": "2030-03-31",
                            "priority": "high",
                            "training_needed": True,
                        }
                    ],
                }
            ]
        }
    )

    source: PromoteSource
    investigation: InvestigationSeed = Field(default_factory=lambda: InvestigationSeed())
    action_items: list[ActionItemSeed] = Field(default_factory=list, max_length=50)


class PromoteOut(BaseModel):
    moment_id: int
    moment_created: bool = Field(description="True when the friction point had no moment yet")
    friction_point_id: int | None
    investigation_id: int
    action_item_ids: list[int]


class StepRef(BaseModel):
    id: int
    name: str
    position: int
    stage_id: int
    stage_name: str


class JourneyRef(BaseModel):
    id: int
    name: str
    kind: str
    persona: str


class FrictionNode(BaseModel):
    id: int
    title: str
    journey_map_id: int
    moment_id: int | None
    step: StepRef


class MomentNode(BaseModel):
    id: int
    title: str
    score: float
    rank_override: int | None
    status: str
    journey_map_id: int | None


class InvestigationNode(BaseModel):
    id: int
    title: str
    status: str
    owner_id: int | None
    friction_point_id: int | None
    root_cause: str | None
    root_cause_category: str | None


class ActionNode(BaseModel):
    id: int
    title: str
    phase: str
    owner_id: int
    team_id: int
    deadline: PlanDate
    investigation_id: int | None
    moment_id: int | None
    checklist: dict[str, int] = Field(description="Entries by notification status, and total")


class ChainOut(BaseModel):
    start: dict[str, Any] = Field(description='Where the walk began: {"kind", "id"}')
    journey_maps: list[JourneyRef]
    friction_points: list[FrictionNode]
    moment: MomentNode | None
    investigations: list[InvestigationNode]
    action_items: list[ActionNode]
