"""Metrics, weekly series and moments whose fixes shipped on given days, for the metrics tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from tests.factories import journeys, moments
from tracker.actions.models import Phase
from tracker.metrics.models import (
    Direction,
    MomentMetric,
    Observation,
    ObservationSource,
    Period,
    SourceKind,
    SuccessMetric,
)
from tracker.metrics.periods import period_start
from tracker.moments.models import MomentOfTruth


def metric(session: Session, *, journey_map_id: int | None = None, name: str = "Invoice contacts",
           direction: Direction = Direction.lower_is_better, period: Period = Period.weekly,
           source_kind: SourceKind = SourceKind.manual, unit: str = "tickets") -> SuccessMetric:
    if journey_map_id is None:
        journey_map_id = journeys.journey_map(session).id
    m = SuccessMetric(journey_map_id=journey_map_id, name=name, unit=unit, direction=direction,
                      period=period, source_kind=source_kind)
    session.add(m)
    session.flush()
    return m


def weekly(session: Session, m: SuccessMetric, first_week: date, values: list[float]) -> None:
    """One observation per week from the week holding `first_week` on."""
    start = period_start(Period.weekly, first_week)
    for i, value in enumerate(values):
        session.add(Observation(metric_id=m.id, period_start=start + timedelta(weeks=i), value=value,
                                source=ObservationSource.api))
    session.flush()


def shipped_moment(session: Session, m: SuccessMetric, *shipped: date,
                   open_items: int = 0) -> MomentOfTruth:
    """A moment naming `m`, with one done item completed on each day (and some still open)."""
    moment = moments.moment(session, journey_map_id=m.journey_map_id)
    for day in shipped:
        moments.action_item(session, moment_=moment, phase=Phase.done,
                            completed_at=datetime(day.year, day.month, day.day, 15, tzinfo=UTC))
    for _ in range(open_items):
        moments.action_item(session, moment_=moment, phase=Phase.implementing)
    moments.action_item(session, moment_=moment, phase=Phase.cancelled)  # never counts
    session.add(MomentMetric(moment_id=moment.id, metric_id=m.id))
    session.flush()
    return moment
