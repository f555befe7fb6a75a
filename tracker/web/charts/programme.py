"""From the programme's figures (tracker.overview schemas) to the pictures' inputs.

The page and `GET /programme/...` read the same service; these only re-shape its answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from tracker.overview.schemas import MatrixRow, ProgrammeOverview, RootCauses
from tracker.web.charts.matrix import MatrixPoint
from tracker.web.charts.pareto import ParetoBar
from tracker.web.charts.progress import progress_bar
from tracker.web.charts.weekly import WeekPoint


def week_points(overview: ProgrammeOverview) -> list[WeekPoint]:
    return [WeekPoint(label=w.week, done=w.done, overdue=w.overdue_at_end, told=w.customers_told, period=w.period)
            for w in overview.weeks]


def category_bars(causes: RootCauses) -> list[ParetoBar]:
    return [ParetoBar(label=row.category.value, count=row.count) for row in causes.by_category]


def area_bars(causes: RootCauses) -> list[ParetoBar]:
    return [ParetoBar(label=row.area, count=row.count) for row in causes.by_area]


def matrix_points(rows: Sequence[MatrixRow]) -> list[MatrixPoint]:
    return [MatrixPoint(moment_id=r.id, title=r.title, rank=r.rank, value=r.value, effort=r.effort,
                        score=r.score, reach=r.reach) for r in rows]


def closed_loop_bar(overview: ProgrammeOverview, *, width: float = 320.0) -> Markup:
    loop = overview.closed_loop
    return progress_bar(loop.told, loop.total, label="Customers told", width=width,
                        empty="no customers to tell yet")


def training_bar(overview: ProgrammeOverview, *, width: float = 320.0) -> Markup:
    t = overview.training
    return progress_bar(t.people_trained, t.target, label="Training", unit="people trained", width=width,
                        empty="no training needed")
