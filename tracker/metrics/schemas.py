"""Success metric request/response models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tracker.api.input import Input
from tracker.api.params import MAX_ID
from tracker.metrics.models import CountState, Direction, ObservationSource, Period, SourceKind
from tracker.metrics.verdicts import DEFAULT_WINDOW, Verdict

_VERSION = Field(None, ge=1, le=MAX_ID, description="The version you edited (or send If-Match).")
# Values are counts, rates, scores: finite, and within what a double holds exactly enough.
_VALUE = Field(ge=-1e12, le=1e12, allow_inf_nan=False, description="In the metric's unit.")

_METRIC_EXAMPLE: dict[str, Any] = {
    "name": "Invoice contacts to support",
    "description": "Support tickets labelled invoice-vat created in the week",
    "unit": "tickets",
    "direction": "lower_is_better",
    "period": "weekly",
    "source_kind": "manual",
}


class MetricCreate(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [_METRIC_EXAMPLE]})

    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=2_000)
    unit: str = Field("", max_length=60, description="e.g. tickets, %, minutes, points")
    direction: Direction | None = Field(
        None, description="Omitted: higher_is_better for emotion metrics, else lower_is_better."
    )
    period: Period = Period.weekly
    source_kind: SourceKind = SourceKind.manual
    query: str | None = Field(
        None, min_length=1, max_length=2_000,
        description="jira_count: a JQL query; github_count: an issue search. Counted per period.",
    )
    connection: str | None = Field(
        None, min_length=1, max_length=60,
        description="jira_count/github_count: the configured connection that runs the query.",
    )


class MetricUpdate(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"unit": "tickets per 1,000 invoices", "version": 1}
    ]})

    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2_000)
    unit: str | None = Field(None, max_length=60)
    direction: Direction | None = None
    period: Period | None = Field(None, description="Refused once the metric has observations.")
    source_kind: SourceKind | None = None
    query: str | None = Field(None, min_length=1, max_length=2_000)
    connection: str | None = Field(None, min_length=1, max_length=60)
    version: int | None = _VERSION


class CountStatusOut(BaseModel):
    """How the counting of a Jira/GitHub metric stands (tracker/metrics/count_status.py)."""

    model_config = ConfigDict(from_attributes=True)

    state: CountState = Field(description="up_to_date, not_counted_yet, waiting, retrying or given_up.")
    counted_at: datetime | None = Field(description="When the worker last recorded a count.")
    counted_through: date | None = Field(description="The last day counted so far.")
    attempts: int = Field(description="Attempts of the waiting, retrying or given-up count.")
    next_attempt_at: datetime | None = Field(description="Waiting or retrying: when the worker tries.")
    last_error: str | None = Field(description="Why the last attempt failed, or why the worker gave up.")
    given_up_at: datetime | None = Field(description="Given up: when the worker stopped trying.")
    message_id: int | None = Field(
        description="The outbox message concerned; a given-up one is retried with POST "
                    "/integration-health/retry (or on the metric's page).")


class MetricOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    journey_map_id: int
    name: str
    description: str
    unit: str
    direction: Direction
    period: Period
    source_kind: SourceKind
    query: str | None
    connection: str | None
    counted_through: date | None = Field(description="Counted metrics: the last day counted.")
    moment_ids: list[int] = Field(default_factory=list, description="Moments it should move.")
    count: CountStatusOut | None = Field(None, description="Jira/GitHub metrics: how the counting stands.")
    created_by_id: int | None
    created_at: datetime
    version: int


class ObservationIn(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [{"value": 31, "version": 1}]})

    value: float = _VALUE
    version: int | None = Field(
        None, ge=1, le=MAX_ID,
        description="Needed to replace an existing value (or send If-Match); not for a new one.",
    )


class ObservationOut(BaseModel):
    metric_id: int
    period: str = Field(description="2026-W05 for a week, 2026-02 for a month.")
    period_start: date
    value: float
    source: ObservationSource
    recorded_by_id: int | None
    recorded_at: datetime
    version: int


class ImportProblem(BaseModel):
    line: int
    field: str | None
    message: str


class ObservationImportOut(BaseModel):
    dry_run: bool
    rows: int
    created: int
    replaced: int
    unchanged: int


class MetricVerdictOut(BaseModel):
    metric_id: int
    name: str
    unit: str
    direction: Direction
    period: Period
    verdict: Verdict
    reason: str = Field(description="The verdict in words, or why there is none yet.")
    before_start: date | None = Field(description="First period of the before window.")
    before_end: date | None = Field(description="Last day of the before window.")
    after_start: date | None
    after_end: date | None
    before_periods: int
    after_periods: int
    before_median: float | None
    after_median: float | None
    change: float | None = Field(description="After minus before (medians), in the metric's unit.")
    change_percent: float | None = Field(description="The change in percent of the before median.")
    p_value: float | None
    test: str


class MomentVerdictsOut(BaseModel):
    moment_id: int
    title: str
    loop_closed: bool = Field(description="Every live action item is done.")
    first_fix_shipped: date | None = Field(description="Earliest completed_at of its done items.")
    last_fix_shipped: date | None = Field(description="Latest completed_at of its done items.")
    window: int = Field(DEFAULT_WINDOW, description="Periods compared on each side.")
    flagged: bool = Field(description="The loop closed but a metric got worse: for the lead.")
    metrics: list[MetricVerdictOut]
