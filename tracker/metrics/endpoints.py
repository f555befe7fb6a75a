"""Success metrics, their observations, the moments they judge, and the verdicts (HTTP)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Response, status

from tracker.api.deps import CurrentUser, DbSession, LeadOnly
from tracker.api.pagination import Page, keyset_page
from tracker.api.params import IdPath, Limit, PlanDate
from tracker.api.versioning import IfMatch, expected_version, set_etag
from tracker.clock import Today
from tracker.errors import InvalidInput
from tracker.friction.csv_rows import csv_text
from tracker.metrics import csv_import, observations, service
from tracker.metrics.count_status import count_statuses
from tracker.metrics.counting import queue_if_counted
from tracker.metrics.counting_check import QueryCheck
from tracker.metrics.emotion import record_emotion_baseline
from tracker.metrics.listing import verdict_page
from tracker.metrics.models import Observation, ObservationSource, SuccessMetric
from tracker.metrics.periods import label, out_of_range, parse_period
from tracker.metrics.schemas import (
    CountStatusOut,
    MetricCreate,
    MetricOut,
    MetricUpdate,
    MetricVerdictOut,
    MomentVerdictsOut,
    ObservationImportOut,
    ObservationIn,
    ObservationOut,
)
from tracker.metrics.verdicts import DEFAULT_WINDOW, MAX_WINDOW, MIN_PERIODS, MomentVerdicts, verdict_for_moment

router = APIRouter(tags=["metrics"])

MAX_CSV_BYTES = 1_000_000  # two years of weekly values is a few kilobytes
PeriodPath = Annotated[str, Path(max_length=20, description="2026-W05, 2026-02, or a day in it.")]
Window = Annotated[int, Query(ge=MIN_PERIODS, le=MAX_WINDOW,
                              description="Periods compared on each side of the fixes.")]


def metrics_out(session: DbSession, metrics: list[SuccessMetric]) -> list[MetricOut]:
    linked = service.moment_ids_by_metric(session, [m.id for m in metrics])
    counts = count_statuses(session, metrics)
    return [MetricOut.model_validate(m).model_copy(update={
        "moment_ids": linked[m.id],
        "count": CountStatusOut.model_validate(counts[m.id]) if m.id in counts else None,
    }) for m in metrics]


def observation_out(metric: SuccessMetric, obs: Observation) -> ObservationOut:
    return ObservationOut(metric_id=obs.metric_id, period=label(metric.period, obs.period_start),
                          period_start=obs.period_start, value=obs.value, source=obs.source,
                          recorded_by_id=obs.recorded_by_id, recorded_at=obs.recorded_at,
                          version=obs.version)


def verdicts_out(v: MomentVerdicts) -> MomentVerdictsOut:
    return MomentVerdictsOut(
        moment_id=v.moment_id, title=v.title, loop_closed=v.loop_closed,
        first_fix_shipped=v.first_fix_shipped, last_fix_shipped=v.last_fix_shipped,
        window=v.window, flagged=v.flagged,
        metrics=[MetricVerdictOut.model_validate(m, from_attributes=True) for m in v.metrics],
    )


@router.get("/journey-maps/{map_id}/metrics", response_model=Page[MetricOut])
def list_metrics(map_id: IdPath, session: DbSession, _: CurrentUser, cursor: str | None = None,
                 limit: Limit = 50) -> Page[MetricOut]:
    """A map's success metrics, oldest first."""
    rows, next_cursor = keyset_page(session, service.list_query(map_id), sort_column=SuccessMetric.id,
                                    id_column=SuccessMetric.id, descending=False, cursor=cursor, limit=limit)
    return Page(items=metrics_out(session, rows), next_cursor=next_cursor)


@router.post("/journey-maps/{map_id}/metrics", response_model=MetricOut, status_code=status.HTTP_201_CREATED)
def create_metric(map_id: IdPath, body: MetricCreate, session: DbSession, lead: LeadOnly,
                  response: Response, checker: QueryCheck) -> MetricOut:
    """Add a success metric to a map (lead); an emotion metric records its baseline at once."""
    metric = service.create_metric(session, actor=lead, journey_map_id=map_id, data=body, checker=checker)
    queue_if_counted(session, metric)  # the backfill starts now, not at the next sweep
    set_etag(response, metric)
    return metrics_out(session, [metric])[0]


@router.get("/metrics/{metric_id}", response_model=MetricOut)
def get_metric(metric_id: IdPath, session: DbSession, _: CurrentUser, response: Response) -> MetricOut:
    """One success metric with the moments it should move."""
    metric = service.get_metric(session, metric_id)
    set_etag(response, metric)
    return metrics_out(session, [metric])[0]


@router.patch("/metrics/{metric_id}", response_model=MetricOut)
def update_metric(metric_id: IdPath, body: MetricUpdate, session: DbSession, lead: LeadOnly,
                  response: Response, checker: QueryCheck, if_match: IfMatch = None) -> MetricOut:
    """Edit a metric (lead; versioned). A new query or source is counted again from the start."""
    metric = service.update_metric(session, actor=lead, metric_id=metric_id, data=body,
                                   expected_version=expected_version(if_match, body.version),
                                   checker=checker)
    queue_if_counted(session, metric)
    set_etag(response, metric)
    return metrics_out(session, [metric])[0]


@router.delete("/metrics/{metric_id}", status_code=204)
def delete_metric(metric_id: IdPath, session: DbSession, lead: LeadOnly) -> Response:
    """Delete a metric with its observations and its links to moments (lead)."""
    service.delete_metric(session, actor=lead, metric_id=metric_id)
    return Response(status_code=204)


@router.get("/metrics/{metric_id}/observations", response_model=Page[ObservationOut])
def list_observations(
    metric_id: IdPath, session: DbSession, _: CurrentUser,
    since: Annotated[PlanDate | None, Query(description="Periods starting on or after this day.")] = None,
    until: Annotated[PlanDate | None, Query(description="Periods starting on or before this day.")] = None,
    cursor: str | None = None, limit: Limit = 104,
) -> Page[ObservationOut]:
    """A metric's values, oldest period first."""
    metric = service.get_metric(session, metric_id)
    rows, next_cursor = keyset_page(
        session, observations.list_query(metric_id, since=since, until=until),
        sort_column=Observation.period_start, id_column=Observation.id, descending=False,
        cursor=cursor, limit=limit)
    return Page(items=[observation_out(metric, o) for o in rows], next_cursor=next_cursor)


@router.put("/metrics/{metric_id}/observations/{period}", response_model=ObservationOut)
def put_observation(metric_id: IdPath, period: PeriodPath, body: ObservationIn, session: DbSession,
                    lead: LeadOnly, response: Response, today: Today, if_match: IfMatch = None) -> ObservationOut:
    """Enter or correct one period's value (lead); correcting one needs the version you saw."""
    metric = service.get_metric(session, metric_id)
    try:
        start = parse_period(metric.period, period)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="period") from exc
    if (why := out_of_range(metric.period, start, today=today)) is not None:
        raise InvalidInput(why, field="period")
    version = expected_version(if_match, body.version) if (
        if_match is not None or body.version is not None) else None
    recorded = observations.record_observation(
        session, metric_id, start, body.value, ObservationSource.api, recorded_by_id=lead.id,
        expected_version=version, require_version=True)
    set_etag(response, recorded.observation)
    return observation_out(metric, recorded.observation)


_CSV_EXAMPLE = "period,value\n2026-W01,38\n2026-W02,41\n2026-01-14,36\n"


@router.post("/metrics/{metric_id}/observations/import", response_model=ObservationImportOut,
             description=csv_import.__doc__)
def import_observations(
    metric_id: IdPath, session: DbSession, lead: LeadOnly,
    body: Annotated[bytes, Body(media_type="text/csv", examples=[_CSV_EXAMPLE],
                                description="The CSV file itself, UTF-8: period,value.")],
    dry_run: Annotated[bool, Query(description="Check and count only; write nothing.")] = False,
) -> ObservationImportOut:
    """Upload a metric's values as CSV (period,value); all rows or none (lead)."""
    text = csv_text(body, max_bytes=MAX_CSV_BYTES)
    report = csv_import.import_observations_csv(session, actor=lead, metric_id=metric_id, text=text,
                                                dry_run=dry_run)
    return ObservationImportOut.model_validate(report, from_attributes=True)


@router.post("/metrics/{metric_id}/emotion-baseline", response_model=ObservationOut)
def take_emotion_baseline(metric_id: IdPath, session: DbSession, lead: LeadOnly) -> ObservationOut:
    """Record an emotion metric's current mean step score for this period (lead)."""
    metric = service.get_metric(session, metric_id)
    recorded = record_emotion_baseline(session, metric_id=metric_id, actor=lead)
    if recorded is None:
        raise InvalidInput(f"journey map {metric.journey_map_id} has no steps to score",
                           field="metric_id")
    return observation_out(metric, recorded.observation)


@router.get("/moments/{moment_id}/metrics", response_model=list[MetricOut])
def moment_metrics(moment_id: IdPath, session: DbSession, _: CurrentUser) -> list[MetricOut]:
    """The metrics a moment of truth is expected to move."""
    return metrics_out(session, service.metrics_of_moment(session, moment_id))


@router.put("/moments/{moment_id}/metrics/{metric_id}", response_model=MetricOut)
def link_metric(moment_id: IdPath, metric_id: IdPath, session: DbSession, lead: LeadOnly) -> MetricOut:
    """Name a metric of the moment's map that its fixes should move (lead; idempotent)."""
    metric = service.link_metric(session, actor=lead, moment_id=moment_id, metric_id=metric_id)
    return metrics_out(session, [metric])[0]


@router.delete("/moments/{moment_id}/metrics/{metric_id}", status_code=204)
def unlink_metric(moment_id: IdPath, metric_id: IdPath, session: DbSession, lead: LeadOnly) -> Response:
    """Stop judging the moment by this metric (lead); the metric and its values stay."""
    service.unlink_metric(session, actor=lead, moment_id=moment_id, metric_id=metric_id)
    return Response(status_code=204)


@router.get("/moments/{moment_id}/verdicts", response_model=MomentVerdictsOut)
def moment_verdicts(moment_id: IdPath, session: DbSession, _: CurrentUser,
                    window: Window = DEFAULT_WINDOW) -> MomentVerdictsOut:
    """Did the fix work? Each of the moment's metrics before its first fix and after its last."""
    return verdicts_out(verdict_for_moment(session, moment_id, window=window))


@router.get("/metric-verdicts", response_model=Page[MomentVerdictsOut])
def list_verdicts(
    session: DbSession, _: CurrentUser,
    flagged: Annotated[bool, Query(description="Only closed loops whose metric got worse.")] = False,
    window: Window = DEFAULT_WINDOW, cursor: str | None = None, limit: Limit = 50,
) -> Page[MomentVerdictsOut]:
    """Verdicts of every moment that names a metric, by moment id; `flagged=true` for leads' list."""
    items, next_cursor = verdict_page(session, flagged=flagged, cursor=cursor, limit=limit, window=window)
    return Page(items=[verdicts_out(v) for v in items], next_cursor=next_cursor)
