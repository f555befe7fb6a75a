"""Success metrics: creating, editing and deleting them, and linking them to moments of truth.

Observations live in `observations.py`, the CSV upload in `csv_import.py`, verdicts in
`verdicts.py`. Services flush, never commit.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session

from tracker.activity.service import apply_changes, record
from tracker.api.versioning import check_version
from tracker.errors import Conflict, InvalidInput, NotFound
from tracker.journeys.service import get_map
from tracker.metrics.emotion import record_emotion_baseline
from tracker.metrics.models import (
    Direction,
    MomentMetric,
    Observation,
    SourceKind,
    SuccessMetric,
)
from tracker.metrics.schemas import MetricCreate, MetricUpdate
from tracker.moments.service import get_moment
from tracker.people.models import Person

COUNTED = (SourceKind.jira_count, SourceKind.github_count)


class QueryChecker(Protocol):
    """Asks the ticket system whether a counted metric's query runs (the counting supplies it).

    Raises InvalidInput on the `query` field, naming the vendor's message, when it does not.
    """

    def __call__(self, *, kind: SourceKind, connection: str, query: str) -> None: ...


def get_metric(session: Session, metric_id: int) -> SuccessMetric:
    metric = session.get(SuccessMetric, metric_id)
    if metric is None:
        raise NotFound("metric", metric_id)
    return metric


def list_query(journey_map_id: int) -> Select[Any]:
    return select(SuccessMetric).where(SuccessMetric.journey_map_id == journey_map_id)


def moment_ids_by_metric(session: Session, metric_ids: list[int]) -> dict[int, list[int]]:
    """{metric id: ids of the moments that name it} in one query."""
    linked: dict[int, list[int]] = {m: [] for m in metric_ids}
    if metric_ids:
        rows = session.execute(
            select(MomentMetric.metric_id, MomentMetric.moment_id)
            .where(MomentMetric.metric_id.in_(metric_ids))
            .order_by(MomentMetric.moment_id)
        )
        for metric_id, moment_id in rows:
            linked[metric_id].append(moment_id)
    return linked


def _check_source(metric: SuccessMetric, checker: QueryChecker | None) -> None:
    """Counted metrics need a query and a connection; the others must not carry them."""
    if metric.source_kind in COUNTED:
        for field in ("query", "connection"):
            if not getattr(metric, field):
                raise InvalidInput(f"a {metric.source_kind} metric needs a {field}", field=field)
        if checker is not None:
            assert metric.connection is not None and metric.query is not None
            checker(kind=metric.source_kind, connection=metric.connection, query=metric.query)
        return
    for field in ("query", "connection"):
        if getattr(metric, field) is not None:
            raise InvalidInput(
                f"{field} is only for jira_count and github_count metrics, "
                f"not {metric.source_kind}", field=field)


def _check_name_free(session: Session, metric: SuccessMetric) -> None:
    taken = session.scalar(select(exists().where(
        SuccessMetric.journey_map_id == metric.journey_map_id,
        SuccessMetric.name == metric.name, SuccessMetric.id != (metric.id or 0),
    )))
    if taken:
        raise Conflict(f"the map already has a metric named {metric.name!r}", field="name")


def create_metric(session: Session, *, actor: Person, journey_map_id: int, data: MetricCreate,
                  checker: QueryChecker | None = None) -> SuccessMetric:
    get_map(session, journey_map_id)
    direction = data.direction or (Direction.higher_is_better if data.source_kind is SourceKind.emotion
                                   else Direction.lower_is_better)
    metric = SuccessMetric(
        journey_map_id=journey_map_id, name=data.name.strip(), description=data.description,
        unit=data.unit.strip(), direction=direction, period=data.period,
        source_kind=data.source_kind, query=data.query, connection=data.connection,
        created_by_id=actor.id,
    )
    _check_source(metric, checker)
    _check_name_free(session, metric)
    session.add(metric)
    session.flush()
    record(session, actor=actor, entity_type="metric", entity_id=metric.id, action="created",
           changes={"name": metric.name, "journey_map_id": journey_map_id,
                    "source_kind": metric.source_kind})
    if metric.source_kind is SourceKind.emotion:
        record_emotion_baseline(session, metric_id=metric.id, actor=actor)
    return metric


def update_metric(session: Session, *, actor: Person, metric_id: int, expected_version: int,
                  data: MetricUpdate, checker: QueryChecker | None = None) -> SuccessMetric:
    metric = get_metric(session, metric_id)
    check_version(metric, expected_version, "metric")
    fields = data.model_dump(exclude_unset=True, exclude={"version"})
    for field in ("name", "description", "unit", "direction", "period", "source_kind"):
        if field in fields and fields[field] is None:
            raise InvalidInput(f"{field} cannot be null; leave it out to keep it", field=field)
    if "period" in fields and fields["period"] != metric.period and _has_observations(session, metric.id):
        raise Conflict("the metric has observations for its current periods; create a new "
                       "metric to measure by another period", field="period")
    if "name" in fields:
        fields["name"] = fields["name"].strip()
    changes = apply_changes(metric, fields)
    if not changes:
        return metric
    _check_source(metric, checker if {"query", "connection", "source_kind"} & changes.keys() else None)
    if "name" in changes:
        _check_name_free(session, metric)
    if {"query", "connection", "source_kind"} & changes.keys():
        # Another query counts something else: the counting starts over (and replaces values).
        metric.counted_through = None
        metric.counted_at = None
    session.flush()
    record(session, actor=actor, entity_type="metric", entity_id=metric.id, action="updated",
           changes=changes)
    return metric


def delete_metric(session: Session, *, actor: Person, metric_id: int) -> None:
    """The metric, its observations and its links to moments go together."""
    metric = get_metric(session, metric_id)
    record(session, actor=actor, entity_type="metric", entity_id=metric.id, action="deleted",
           changes={"name": metric.name, "journey_map_id": metric.journey_map_id})
    session.delete(metric)
    session.flush()


def _has_observations(session: Session, metric_id: int) -> bool:
    return bool(session.scalar(select(exists().where(Observation.metric_id == metric_id))))


def link_metric(session: Session, *, actor: Person, moment_id: int, metric_id: int) -> SuccessMetric:
    """The moment names a metric it is expected to move; linking twice is a no-op."""
    moment = get_moment(session, moment_id)
    metric = get_metric(session, metric_id)
    if moment.journey_map_id is not None and moment.journey_map_id != metric.journey_map_id:
        raise InvalidInput(
            f"metric {metric.id} belongs to journey map {metric.journey_map_id}, the moment to "
            f"map {moment.journey_map_id}", field="metric_id")
    if session.get(MomentMetric, (moment_id, metric_id)) is None:
        session.add(MomentMetric(moment_id=moment_id, metric_id=metric_id, created_by_id=actor.id))
        session.flush()
        record(session, actor=actor, entity_type="moment", entity_id=moment_id,
               action="metric_linked", moment_id=moment_id,
               changes={"metric_id": metric_id, "name": metric.name})
        _retake_emotion(session, metric, actor)
    return metric


def unlink_metric(session: Session, *, actor: Person, moment_id: int, metric_id: int) -> None:
    get_moment(session, moment_id)
    link = session.get(MomentMetric, (moment_id, metric_id))
    if link is None:
        raise NotFound("metric link", f"{moment_id}/{metric_id}")
    metric = get_metric(session, metric_id)
    session.delete(link)
    session.flush()
    record(session, actor=actor, entity_type="moment", entity_id=moment_id,
           action="metric_unlinked", moment_id=moment_id,
           changes={"metric_id": metric_id, "name": metric.name})
    _retake_emotion(session, metric, actor)


def _retake_emotion(session: Session, metric: SuccessMetric, actor: Person) -> None:
    # An emotion baseline reads the steps of the metric's moments: they just changed.
    if metric.source_kind is SourceKind.emotion:
        record_emotion_baseline(session, metric_id=metric.id, actor=actor)


def metrics_of_moment(session: Session, moment_id: int) -> list[SuccessMetric]:
    get_moment(session, moment_id)
    return list(session.scalars(
        select(SuccessMetric).join(MomentMetric, MomentMetric.metric_id == SuccessMetric.id)
        .where(MomentMetric.moment_id == moment_id).order_by(SuccessMetric.id)
    ))
