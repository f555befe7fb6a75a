"""Across the programme: which root causes recur (Pareto), and where each moment sits on the
impact x effort matrix."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.investigations.models import Investigation, RootCauseCategory
from tracker.moments import priority
from tracker.moments.models import MomentOfTruth
from tracker.moments.queries import rank_map
from tracker.moments.weights import current_weights
from tracker.overview.schemas import AreaCount, CategoryCount, MatrixRow, RootCauses

AREA_LIMIT = 15


def root_causes(session: Session) -> RootCauses:
    """Investigations per root-cause category (every category, most frequent first) and per area.

    Any investigation that names a category counts, concluded or not: the category is usually
    known before the write-up is finished. Areas are free text, so "Billing " and "billing"
    are one area, shown in their most common spelling (the first alphabetically on a tie).
    """
    counts = dict(session.execute(
        select(Investigation.root_cause_category, func.count()).group_by(Investigation.root_cause_category)
    ).all())
    uncategorised = int(counts.pop(None, 0))
    by_category = sorted(
        (CategoryCount(category=c, count=int(counts.get(c, 0))) for c in RootCauseCategory),
        key=lambda row: (-row.count, row.category.value),
    )
    key = func.lower(func.trim(Investigation.root_cause_area))
    spellings = session.execute(
        select(key, func.trim(Investigation.root_cause_area), func.count())
        .where(Investigation.root_cause_area.is_not(None), func.trim(Investigation.root_cause_area) != "")
        .group_by(key, func.trim(Investigation.root_cause_area))
    ).all()
    areas: dict[str, tuple[int, str, int]] = {}  # key -> (total, best spelling, its count)
    for k, spelling, n in spellings:
        total, best, best_n = areas.get(k, (0, spelling, 0))
        if n > best_n or (n == best_n and spelling < best):
            best, best_n = spelling, n
        areas[k] = (total + n, best, best_n)
    by_area = sorted((AreaCount(area=best, count=total) for total, best, _ in areas.values()),
                     key=lambda row: (-row.count, row.area.lower()))[:AREA_LIMIT]
    return RootCauses(by_category=by_category, by_area=by_area,
                      categorised=sum(r.count for r in by_category), uncategorised=uncategorised)


def priority_matrix(session: Session, *, journey_map_id: int | None = None,
                    defaults: priority.Weights | None = None) -> list[MatrixRow]:
    """Every moment (of one map, if given) with its impact (the formula's value), effort and rank.

    Ranks are the programme's effective ranks (pins included), so a map's matrix shows the
    same numbers as the ranked list. Moments are few (each one a workshop finding), so they
    are read whole; no action item is read (status is on the ranked list, GET /moments).
    """
    ranks = rank_map(session)
    weights = current_weights(session, defaults)
    stmt = select(MomentOfTruth)
    if journey_map_id is not None:
        stmt = stmt.where(MomentOfTruth.journey_map_id == journey_map_id)
    moments = list(session.scalars(stmt))
    rows = [
        MatrixRow(id=m.id, title=m.title, journey_map_id=m.journey_map_id, rank=ranks[m.id], score=m.score,
                  value=round(priority.value(priority.factors_of(m), weights), 4), effort=m.effort,
                  reach=m.reach)
        for m in moments
    ]
    return sorted(rows, key=lambda r: r.rank)
