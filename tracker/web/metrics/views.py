"""What the metric pages show: a map's metrics with their latest value and counting status, and
one metric with its values, its moments and the choices its forms offer. Reads only; every
change goes through tracker/metrics (the services the API calls)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.config import Settings
from tracker.journeys.models import JourneyMap
from tracker.journeys.service import get_map
from tracker.metrics.count_status import CountStatus, count_statuses
from tracker.metrics.models import CountState, Direction, MomentMetric, Observation, SourceKind, SuccessMetric
from tracker.metrics.periods import label
from tracker.metrics.service import get_metric
from tracker.metrics.words import amount
from tracker.moments.models import MomentOfTruth
from tracker.web.health.views import relative
from tracker.web.journeys.metrics import MapMetric, map_metrics

VALUES_SHOWN = 26  # half a year of weeks, two years of months

SOURCE_WORDS = {
    SourceKind.manual: "Entered or uploaded",
    SourceKind.jira_count: "Counted in Jira",
    SourceKind.github_count: "Counted in GitHub",
    SourceKind.emotion: "Step emotion scores",
}
DIRECTION_CHOICES = [(Direction.lower_is_better.value, "Lower is better"),
                     (Direction.higher_is_better.value, "Higher is better")]
PERIOD_CHOICES = [("weekly", "Weekly (ISO weeks, Monday to Sunday)"), ("monthly", "Monthly (calendar months)")]
STATE_WORDS = {
    CountState.up_to_date: "Counted",
    CountState.not_counted_yet: "Not counted yet",
    CountState.waiting: "Count waiting",
    CountState.retrying: "Count retrying",
    CountState.given_up: "Counting given up",
}


@dataclass(frozen=True)
class CountWords:
    state: CountState
    badge: str  # the state in a word or two
    tone: str  # badge modifier: muted, ticket, overdue
    said: str  # a sentence: when counted, when the next try is
    error: str | None  # the reason given (retrying) or why the worker gave up
    can_retry: bool


def count_words(status: CountStatus, now: datetime) -> CountWords:
    counted = (f"Last counted {relative(now, status.counted_at)}" if status.counted_at
               else "Not counted yet")
    if status.counted_through is not None:
        counted += f", through {status.counted_through:%d %b %Y}"
    said = counted + "."
    tone = "muted"
    if status.state is CountState.waiting:
        said += f" A count is queued for the worker ({relative(now, status.next_attempt_at)})."
        tone = "ticket"
    elif status.state is CountState.retrying:
        said += (f" The last count failed (attempt {status.attempts}); the worker tries again "
                 f"{relative(now, status.next_attempt_at)}.")
        tone = "overdue"
    elif status.state is CountState.given_up:
        when = f"{status.given_up_at:%d %b %Y %H:%M} UTC" if status.given_up_at else "at some point"
        said += (f" The worker gave up on {when} and will not count this metric again until it is "
                 "retried or its query changes.")
        tone = "broken"
    return CountWords(status.state, STATE_WORDS[status.state], tone, said,
                      status.last_error, status.state is CountState.given_up)


@dataclass(frozen=True)
class MetricRow:
    metric: SuccessMetric
    source: str
    summary: MapMetric | None
    count: CountWords | None


@dataclass(frozen=True)
class MapMetricsPage:
    map: JourneyMap
    rows: list[MetricRow]


def map_metrics_page(session: Session, *, map_id: int, today: date, now: datetime) -> MapMetricsPage:
    jmap = get_map(session, map_id)
    metrics = list(session.scalars(select(SuccessMetric).where(SuccessMetric.journey_map_id == map_id)
                                   .order_by(SuccessMetric.id)))
    summaries = {s.id: s for s in map_metrics(session, map_id=map_id, today=today)}
    counts = count_statuses(session, metrics)
    return MapMetricsPage(jmap, [
        MetricRow(m, SOURCE_WORDS[m.source_kind], summaries.get(m.id),
                  count_words(counts[m.id], now) if m.id in counts else None) for m in metrics])


@dataclass(frozen=True)
class ValueRow:
    period: str
    value: str
    source: str
    recorded_at: datetime


@dataclass(frozen=True)
class MetricPage:
    metric: SuccessMetric
    map: JourneyMap
    source: str
    count: CountWords | None
    values: list[ValueRow]  # newest first
    value_total: int
    moments: list[MomentOfTruth]  # the moments that name it
    linkable: list[tuple[str, str]]  # (id, title) of the map's moments that do not


def metric_page(session: Session, *, metric_id: int, now: datetime) -> MetricPage:
    metric = get_metric(session, metric_id)
    jmap = get_map(session, metric.journey_map_id)
    rows = list(session.scalars(select(Observation).where(Observation.metric_id == metric_id)
                                .order_by(Observation.period_start.desc()).limit(VALUES_SHOWN)))
    total = len(rows) if len(rows) < VALUES_SHOWN else session.scalar(
        select(func.count()).select_from(Observation).where(Observation.metric_id == metric_id)) or 0
    linked = list(session.scalars(
        select(MomentOfTruth).join(MomentMetric, MomentMetric.moment_id == MomentOfTruth.id)
        .where(MomentMetric.metric_id == metric_id).order_by(MomentOfTruth.id)))
    linked_ids = {m.id for m in linked}
    linkable = [(str(m.id), m.title) for m in session.scalars(select(MomentOfTruth).where(
        MomentOfTruth.journey_map_id == metric.journey_map_id).order_by(MomentOfTruth.title, MomentOfTruth.id))
        if m.id not in linked_ids]
    status = count_statuses(session, [metric]).get(metric.id)
    return MetricPage(
        metric=metric, map=jmap, source=SOURCE_WORDS[metric.source_kind],
        count=count_words(status, now) if status is not None else None,
        values=[ValueRow(label(metric.period, o.period_start), amount(o.value, metric.unit), o.source.value,
                         o.recorded_at) for o in rows],
        value_total=total, moments=linked, linkable=linkable)


def metric_values(metric: SuccessMetric) -> dict[str, str]:
    """The edit form as the metric stands."""
    return {"name": metric.name, "description": metric.description, "unit": metric.unit,
            "direction": metric.direction.value, "period": metric.period.value,
            "source_kind": metric.source_kind.value, "query": metric.query or "",
            "connection": metric.connection or "", "version": str(metric.version)}


SOURCE_CHOICES = [
    (SourceKind.manual.value, "Entered here or uploaded as CSV"),
    (SourceKind.jira_count.value, "Counted in Jira (a JQL query)"),
    (SourceKind.github_count.value, "Counted in GitHub (an issue search)"),
]


def source_choices(current: str | None = None) -> list[tuple[str, str]]:
    choices = list(SOURCE_CHOICES)
    if current == SourceKind.emotion.value:  # kept when editing such a metric; not offered for new ones
        choices.append((SourceKind.emotion.value, "Step emotion scores on this map (a baseline)"))
    return choices


def connection_choices(settings: Settings, current: str | None = None) -> list[tuple[str, str]]:
    """The configured Jira and GitHub connections (TRACKER_CONNECTIONS__<NAME>__...)."""
    choices = [("", "Choose a connection")]
    choices += [(name, f"{name} ({c.kind.capitalize() if c.kind == 'jira' else 'GitHub'})")
                for name, c in sorted(settings.connections.items()) if c.kind in ("jira", "github")]
    if current and current not in settings.connections:
        choices.append((current, f"{current} (not configured)"))
    return choices
