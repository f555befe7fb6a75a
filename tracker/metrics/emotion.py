"""The emotion baseline: a metric read from the workshop's step emotion scores on the map.

Rule: the mean emotion score (-5..+5) of the distinct steps where friction of the metric's
moments of truth is pinned; while the metric names no moment with pinned friction, the mean of
every step of its map. It is recorded as one observation for the current period (source
`emotion`), replacing that period's earlier reading, and taken again when the metric's moments
change or on request (after a survey updated the scores).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.errors import InvalidInput, NotFound
from tracker.friction.models import FrictionPoint
from tracker.journeys.models import JourneyStage, JourneyStep
from tracker.metrics.models import MomentMetric, ObservationSource, SourceKind, SuccessMetric
from tracker.metrics.observations import Recorded, record_observation
from tracker.people.models import Person
from tracker.types import utcnow


def emotion_mean(session: Session, metric: SuccessMetric) -> float | None:
    """The mean score by the rule above; None when the map has no steps."""
    pinned = (
        select(FrictionPoint.step_id)
        .join(MomentMetric, MomentMetric.moment_id == FrictionPoint.moment_id)
        .where(MomentMetric.metric_id == metric.id)
        .distinct()
        .subquery()
    )
    mean = session.scalar(
        select(func.avg(JourneyStep.emotion_score)).where(JourneyStep.id.in_(select(pinned.c.step_id)))
    )
    if mean is None:
        mean = session.scalar(
            select(func.avg(JourneyStep.emotion_score))
            .join(JourneyStage, JourneyStage.id == JourneyStep.stage_id)
            .where(JourneyStage.journey_map_id == metric.journey_map_id)
        )
    return None if mean is None else round(float(mean), 4)


def record_emotion_baseline(session: Session, *, metric_id: int, actor: Person | None,
                            today: date | None = None) -> Recorded | None:
    """Record the metric's emotion mean for the current period; None when the map has no steps."""
    metric = session.get(SuccessMetric, metric_id)
    if metric is None:
        raise NotFound("metric", metric_id)
    if metric.source_kind is not SourceKind.emotion:
        raise InvalidInput(f"metric {metric_id} is a {metric.source_kind} metric, not an emotion one",
                           field="source_kind")
    mean = emotion_mean(session, metric)
    if mean is None:
        return None
    return record_observation(session, metric.id, today or utcnow().date(), mean,
                              ObservationSource.emotion, recorded_by_id=actor.id if actor else None)
