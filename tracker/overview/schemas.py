"""What the programme home, the Pareto chart and the priority matrix show, as the API returns it."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from tracker.actions.models import Phase
from tracker.investigations.models import RootCauseCategory
from tracker.moments.status import MomentStatus


class PhaseCount(BaseModel):
    phase: Phase
    count: int


class StatusCount(BaseModel):
    status: MomentStatus
    count: int


class OverdueGroup(BaseModel):
    id: int
    name: str
    count: int = Field(description="Open items of this team or owner whose deadline has passed.")
    oldest_deadline: date


class ClosedLoop(BaseModel):
    """Checklist entries of live (not cancelled) action items."""

    told: int = Field(description="Notified or acknowledged.")
    to_tell: int = Field(description="Still pending.")
    unreachable: int
    total: int
    percent: int = Field(description="told of total, rounded down.")


class TrainingProgress(BaseModel):
    """Live action items that need training (not waived)."""

    items: int
    items_complete: int = Field(description="At least one session held and the target reached.")
    people_trained: int = Field(description="Counted up to each item's target, so one item's "
                                            "extra people never hide another's shortfall.")
    target: int
    percent: int


class WeekFigures(BaseModel):
    week: str = Field(examples=["2026-W47"])
    period: str = Field(examples=["16-22 Nov 2026"])
    done: int = Field(description="Items completed in the week (and still done).")
    overdue_at_end: int = Field(description="Items open and overdue at the week's end (today for "
                                            "the running week), judged by the deadline each had then.")
    customers_told: int = Field(description="Checklist entries marked notified or acknowledged "
                                            "in the week.")


class ProgrammeOverview(BaseModel):
    as_of: date
    items_total: int
    items_by_phase: list[PhaseCount] = Field(description="Every phase, in phase order, zeros included.")
    overdue_total: int
    overdue_by_team: list[OverdueGroup] = Field(description="Most overdue first.")
    overdue_by_owner: list[OverdueGroup] = Field(description="Most overdue first; the top owners only.")
    owners_with_overdue: int
    moments_total: int
    moments_by_status: list[StatusCount]
    closed_loop: ClosedLoop
    training: TrainingProgress
    broken_ticket_links: int
    weeks: list[WeekFigures] = Field(description="Oldest first; the last is the running week.")


class CategoryCount(BaseModel):
    category: RootCauseCategory
    count: int


class AreaCount(BaseModel):
    area: str
    count: int


class RootCauses(BaseModel):
    """Investigations by the kind of upstream cause they found (for a Pareto chart)."""

    by_category: list[CategoryCount] = Field(description="Every category, most frequent first.")
    by_area: list[AreaCount] = Field(description="The most frequent areas (case and spaces ignored).")
    categorised: int
    uncategorised: int


class MatrixRow(BaseModel):
    """One moment of truth on the impact x effort matrix."""

    id: int
    title: str
    journey_map_id: int | None
    rank: int
    score: float
    value: float = Field(description="Impact: the weighted mean of reach, severity, emotional weight "
                                     "and business impact (1..5).")
    effort: int
    reach: int
