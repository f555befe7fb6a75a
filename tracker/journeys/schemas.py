"""Journey map request/response models: a map, its ordered stages and their ordered steps."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tracker.api.input import Input
from tracker.api.params import MAX_ID, DbId
from tracker.journeys.models import Channel, MapKind

# One entry of a list of short texts (a hypothesis, an objective, a system met).
Line = Annotated[str, StringConstraints(max_length=1_000)]
# A success metric's name (tracker/metrics); written through the map it makes a default metric.
MetricName = Annotated[str, StringConstraints(min_length=1, max_length=200)]
_METRICS_HELP = (
    "Names of the map's success metrics. New names become manual, weekly, lower-is-better "
    "metrics without a unit; set those through /journey-maps/{id}/metrics."
)


# The journeys' name for the shared request-body base (tracker/api/input.py: no NUL in text).
Clean = Input


EMOTION = Field(0, ge=-5, le=5, description="-5 (furious) .. +5 (delighted)")
_VERSION = Field(
    None, ge=1, le=MAX_ID, description="The journey map version you edited (or send If-Match)."
)

_STEP_EXAMPLE: dict[str, Any] = {
    "name": "Opens the invoice PDF",
    "doing": "Downloads the invoice from the billing portal",
    "thinking": "Why is the total higher than last month?",
    "feeling": "Confused, slightly anxious",
    "emotion_score": -2,
    "channel": "web",
    "people_met": [],
    "systems_met": ["billing portal"],
    "duration_minutes": 5,
}


class StepFields(Clean):
    name: str = Field(min_length=1, max_length=200)
    doing: str = Field("", max_length=2_000)
    thinking: str = Field("", max_length=2_000)
    feeling: str = Field("", max_length=2_000)
    emotion_score: int = EMOTION
    channel: Channel
    people_met: list[Line] = Field(default_factory=list, max_length=100)
    systems_met: list[Line] = Field(default_factory=list, max_length=100)
    duration_minutes: int | None = Field(None, ge=0, le=MAX_ID)


class StepCreate(StepFields):
    model_config = ConfigDict(json_schema_extra={"examples": [{**_STEP_EXAMPLE, "position": 0}]})

    position: int | None = Field(
        None, ge=0, le=MAX_ID, description="0-based place in the stage; omitted means at the end."
    )


class StageFields(Clean):
    name: str = Field(min_length=1, max_length=200)
    steps: list[StepFields] = Field(default_factory=list)


class StageCreate(StageFields):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"name": "Notice the problem", "steps": [_STEP_EXAMPLE], "position": 0}
    ]})

    position: int | None = Field(
        None, ge=0, le=MAX_ID, description="0-based place in the map; omitted means at the end."
    )


class JourneyMapCreate(Clean):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "name": "Getting help with a broken invoice",
        "kind": "customer",
        "persona": "Small-business owner paying monthly",
        "scope_start": "The invoice arrives",
        "scope_end": "The customer trusts the corrected invoice",
        "objectives": ["Find where invoice confusion starts"],
        "success_metrics": ["Invoice-related contacts per 1,000 invoices"],
        "stages": [
            {"name": "Notice the problem", "steps": [_STEP_EXAMPLE]},
            {"name": "Contact support", "steps": [{
                "name": "Calls the support line", "doing": "Waits on hold",
                "thinking": "This should not take so long", "feeling": "Annoyed",
                "emotion_score": -4, "channel": "phone", "people_met": ["Support agent"],
                "systems_met": ["IVR"], "duration_minutes": 25,
            }]},
        ],
    }]})

    name: str = Field(min_length=1, max_length=200)
    kind: MapKind = MapKind.customer
    persona: str = Field(min_length=1, max_length=200)
    scope_start: str = Field(min_length=1, max_length=300)
    scope_end: str = Field(min_length=1, max_length=300)
    objectives: list[Line] = Field(default_factory=list, max_length=100)
    success_metrics: list[MetricName] = Field(
        default_factory=list, max_length=100, description=_METRICS_HELP
    )
    stages: list[StageFields] = Field(
        default_factory=list, description="In journey order; each with its steps in order."
    )


class JourneyMapUpdate(Clean):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"persona": "Small-business owner paying yearly", "version": 1}
    ]})

    name: str | None = Field(None, min_length=1, max_length=200)
    persona: str | None = Field(None, min_length=1, max_length=200)
    scope_start: str | None = Field(None, min_length=1, max_length=300)
    scope_end: str | None = Field(None, min_length=1, max_length=300)
    objectives: list[Line] | None = Field(None, max_length=100)
    success_metrics: list[MetricName] | None = Field(
        None, max_length=100,
        description="The whole list: names left out are removed (refused while a metric has "
        "observations or moments).",
    )
    version: int | None = _VERSION


class StageUpdate(Clean):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"name": "Notice something is wrong", "position": 0, "version": 1}
    ]})

    name: str | None = Field(None, min_length=1, max_length=200)
    position: int | None = Field(
        None, ge=0, le=MAX_ID, description="Move the stage to this 0-based place."
    )
    version: int | None = _VERSION


class StepUpdate(Clean):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"emotion_score": -3, "feeling": "Frustrated", "version": 1}
    ]})

    name: str | None = Field(None, min_length=1, max_length=200)
    doing: str | None = Field(None, max_length=2_000)
    thinking: str | None = Field(None, max_length=2_000)
    feeling: str | None = Field(None, max_length=2_000)
    emotion_score: int | None = Field(None, ge=-5, le=5)
    channel: Channel | None = None
    people_met: list[Line] | None = Field(None, max_length=100)
    systems_met: list[Line] | None = Field(None, max_length=100)
    duration_minutes: int | None = Field(None, ge=0, le=MAX_ID)
    stage_id: DbId | None = Field(None, description="Move it to another stage of the same map.")
    position: int | None = Field(
        None, ge=0, le=MAX_ID, description="0-based place in its (new) stage."
    )
    version: int | None = _VERSION


class StepOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    stage_id: int
    position: int
    name: str
    doing: str
    thinking: str
    feeling: str
    emotion_score: int
    channel: Channel
    people_met: list[str]
    systems_met: list[str]
    duration_minutes: int | None
    friction_count: int = 0


class StageOut(BaseModel):
    id: int
    journey_map_id: int
    position: int
    name: str
    steps: list[StepOut]


class JourneyMapSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: MapKind
    persona: str
    scope_start: str
    scope_end: str
    objectives: list[str]
    success_metrics: list[str] = Field(
        default_factory=list, description="Names of the map's success metrics, oldest first."
    )
    created_by_id: int | None
    created_at: datetime
    version: int


class EmotionPoint(BaseModel):
    step_id: int
    stage_name: str
    step_name: str
    emotion_score: int


class EmotionCurve(BaseModel):
    points: list[EmotionPoint] = Field(description="Every step in journey order.")
    lowest: EmotionPoint | None = Field(
        None, description="The first step with the lowest score: where the journey hurts most."
    )


class JourneyMapOut(JourneyMapSummary):
    stages: list[StageOut]
    emotion_curve: EmotionCurve
