"""Observations: one value per metric and period; a re-count or correction replaces it in place.

`record_observation` is the one door every source uses (API, CSV, the ticket counts, the emotion
baseline), so the rule "one per period, the latest value wins and says who or what wrote it"
holds for all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracker.api.versioning import check_version
from tracker.errors import NotFound, PreconditionRequired
from tracker.metrics.models import Observation, ObservationSource, SuccessMetric
from tracker.metrics.periods import label, period_start
from tracker.types import utcnow


@dataclass(frozen=True)
class Recorded:
    observation: Observation
    outcome: str  # "created", "replaced" or "unchanged"


def observation_for(session: Session, metric_id: int, start: date) -> Observation | None:
    """The value recorded for the period starting on `start`, if any."""
    return session.scalar(select(Observation).where(
        Observation.metric_id == metric_id, Observation.period_start == start))


def record_observation(
    session: Session,
    metric_id: int,
    period_start_day: date,
    value: float,
    source: ObservationSource,
    *,
    recorded_by_id: int | None = None,
    expected_version: int | None = None,
    require_version: bool = False,
) -> Recorded:
    """Store `value` for the period holding `period_start_day` (any day of it).

    An existing value is replaced and the row says who (recorded_by_id, None for the tracker's
    own counts) and what (source) wrote it last. With `require_version` (the API's PUT) replacing
    needs the version the caller saw; counts and uploads replace without one.
    """
    metric = session.get(SuccessMetric, metric_id)
    if metric is None:
        raise NotFound("metric", metric_id)
    start = period_start(metric.period, period_start_day)
    existing = observation_for(session, metric_id, start)
    if existing is None:
        try:
            # A concurrent writer of the same period wins the insert; we then replace its value.
            with session.begin_nested():
                row = Observation(metric_id=metric_id, period_start=start, value=value,
                                  source=source, recorded_by_id=recorded_by_id)
                session.add(row)
            return Recorded(row, "created")
        except IntegrityError:
            existing = observation_for(session, metric_id, start)
            if existing is None:
                raise
    if expected_version is not None:
        check_version(existing, expected_version, f"observation {label(metric.period, start)} of metric")
    elif require_version:
        raise PreconditionRequired(
            f"metric {metric_id} already has a value for {label(metric.period, start)}: send the "
            "version you are replacing (If-Match or 'version')", field="version")
    if existing.value == value:  # the same figure again: it keeps who first recorded it
        return Recorded(existing, "unchanged")
    existing.value = value
    existing.source = source
    existing.recorded_by_id = recorded_by_id
    existing.recorded_at = utcnow()
    session.flush()
    return Recorded(existing, "replaced")


def list_query(metric_id: int, *, since: date | None = None, until: date | None = None) -> Select[Any]:
    stmt = select(Observation).where(Observation.metric_id == metric_id)
    if since is not None:
        stmt = stmt.where(Observation.period_start >= since)
    if until is not None:
        stmt = stmt.where(Observation.period_start <= until)
    return stmt


def series(session: Session, metric_ids: list[int], *, since: date, until: date) -> dict[int, dict[date, float]]:
    """{metric id: {period start: value}} between two days, for many metrics in one query."""
    values: dict[int, dict[date, float]] = {m: {} for m in metric_ids}
    if not metric_ids:
        return values
    rows = session.execute(
        select(Observation.metric_id, Observation.period_start, Observation.value)
        .where(Observation.metric_id.in_(metric_ids), Observation.period_start >= since,
               Observation.period_start <= until)
    )
    for metric_id, start, value in rows:
        values[metric_id][start] = value
    return values
