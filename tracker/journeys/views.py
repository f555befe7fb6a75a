"""Turning loaded maps into response models (friction counts and the emotion curve)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tracker.journeys.models import JourneyMap, JourneyStage, JourneyStep
from tracker.journeys.schemas import (
    EmotionCurve,
    EmotionPoint,
    JourneyMapOut,
    JourneyMapSummary,
    StageOut,
    StepOut,
)
from tracker.journeys.service import friction_counts, get_map, ordered_steps
from tracker.metrics.names import names_by_map


def step_out(step: JourneyStep, counts: dict[int, int]) -> StepOut:
    out = StepOut.model_validate(step)
    return out.model_copy(update={"friction_count": counts.get(step.id, 0)})


def stage_out(stage: JourneyStage, counts: dict[int, int]) -> StageOut:
    return StageOut(id=stage.id, journey_map_id=stage.journey_map_id, position=stage.position,
                    name=stage.name, steps=[step_out(s, counts) for s in stage.steps])


def emotion_curve(jmap: JourneyMap) -> EmotionCurve:
    points = [
        EmotionPoint(step_id=step.id, stage_name=stage.name, step_name=step.name,
                     emotion_score=step.emotion_score)
        for stage, step in ordered_steps(jmap)
    ]
    # min() keeps the first of equal scores: the earliest low point is where the hurt starts.
    lowest = min(points, key=lambda p: p.emotion_score) if points else None
    return EmotionCurve(points=points, lowest=lowest)


def summaries(session: Session, maps: list[JourneyMap]) -> list[JourneyMapSummary]:
    """Maps as summaries with their metric names (one query for all of them)."""
    names = names_by_map(session, [m.id for m in maps])
    return [JourneyMapSummary.model_validate(m).model_copy(update={"success_metrics": names[m.id]})
            for m in maps]


def map_out(session: Session, map_id: int) -> tuple[JourneyMap, JourneyMapOut]:
    """Reload the map with its structure (edits may have left collections stale) and describe it."""
    jmap = get_map(session, map_id, structure=True)
    counts = friction_counts(session, map_id)
    summary = summaries(session, [jmap])[0].model_dump()
    out = JourneyMapOut(**summary, stages=[stage_out(s, counts) for s in jmap.stages],
                        emotion_curve=emotion_curve(jmap))
    return jmap, out
