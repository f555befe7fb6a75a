"""Success metrics of a journey map, their per-period observations, and the moments they judge.

A metric is measured once per period (an ISO week by default); `period_start` is the period's
first day (a Monday for weeks). Counted metrics (Jira/GitHub) keep their query, the connection
that runs it and how far the counting has got (`counted_through`), so the counting job can
resume where it stopped without counting a period twice.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base
from tracker.types import UTCDateTime, utcnow


class Direction(StrEnum):
    lower_is_better = "lower_is_better"
    higher_is_better = "higher_is_better"


class Period(StrEnum):
    weekly = "weekly"  # ISO weeks, Monday to Sunday
    monthly = "monthly"  # calendar months


class SourceKind(StrEnum):
    """Where a metric's values come from."""

    manual = "manual"  # entered, uploaded as CSV, or sent through the API
    jira_count = "jira_count"  # issues a JQL query finds per period
    github_count = "github_count"  # issues an issue search finds per period
    emotion = "emotion"  # the map's step emotion scores, as one baseline observation


class ObservationSource(StrEnum):
    """What recorded an observation's current value."""

    api = "api"
    web = "web"
    csv = "csv"
    jira = "jira"
    github = "github"
    emotion = "emotion"


class CountState(StrEnum):
    """How the counting of a Jira/GitHub metric stands (tracker/metrics/count_status.py)."""

    up_to_date = "up_to_date"
    not_counted_yet = "not_counted_yet"
    waiting = "waiting"
    retrying = "retrying"
    given_up = "given_up"


class SuccessMetric(Base):
    __tablename__ = "success_metrics"
    __table_args__ = (UniqueConstraint("journey_map_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    journey_map_id: Mapped[int] = mapped_column(
        ForeignKey("journey_maps.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(60), default="")
    direction: Mapped[Direction] = mapped_column(Enum(Direction, native_enum=False, length=20))
    period: Mapped[Period] = mapped_column(Enum(Period, native_enum=False, length=16))
    source_kind: Mapped[SourceKind] = mapped_column(Enum(SourceKind, native_enum=False, length=16))
    # Counted metrics only: the JQL or GitHub issue search, and the configured connection
    # (TRACKER_CONNECTIONS__<NAME>__...) that runs it; the database never holds a secret.
    query: Mapped[str | None] = mapped_column(Text)
    connection: Mapped[str | None] = mapped_column(String(60))
    # The last day whose period has been counted; None until the first count (backfill).
    counted_through: Mapped[date | None] = mapped_column(Date)
    # When the worker last recorded a count (tracker/metrics/count_status.py reports it).
    counted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Observation(Base):
    """A metric's value for one period; a re-count or correction replaces it in place."""

    __tablename__ = "metric_observations"
    __table_args__ = (UniqueConstraint("metric_id", "period_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    metric_id: Mapped[int] = mapped_column(ForeignKey("success_metrics.id", ondelete="CASCADE"))
    period_start: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[ObservationSource] = mapped_column(
        Enum(ObservationSource, native_enum=False, length=16)
    )
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class MomentMetric(Base):
    """A moment of truth names a metric its fixes are expected to move."""

    __tablename__ = "moment_metrics"
    __table_args__ = (
        # The primary key (moment_id, metric_id) serves "a moment's metrics"; this one the reverse.
        Index("ix_moment_metrics_metric_id", "metric_id"),
    )

    moment_id: Mapped[int] = mapped_column(
        ForeignKey("moments_of_truth.id", ondelete="CASCADE"), primary_key=True
    )
    metric_id: Mapped[int] = mapped_column(
        ForeignKey("success_metrics.id", ondelete="CASCADE"), primary_key=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
