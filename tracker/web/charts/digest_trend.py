"""The digest page's chart: a scope's digests over the last weeks. Items completed and newly
overdue per week (bars), and overdue in all at each week's end (a line), the week shown last.

Drawn by week_bars.py, like the programme home's weekly chart, with the week shown in bold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from tracker.digests.trend import WeekTotals
from tracker.web.charts.svg import PlotFrame
from tracker.web.charts.week_bars import Series, Week, week_bars_chart


@dataclass(frozen=True)
class Frame(PlotFrame):
    width: float = 640.0
    height: float = 260.0
    left: float = 40.0
    right: float = 12.0
    top: float = 40.0  # room for the legend
    bottom: float = 32.0


SERIES = Series(("Completed", "Newly overdue", "Overdue in all"), ("completed", "newly-overdue"))


def digest_trend_chart(weeks: Sequence[WeekTotals], *, title: str, frame: Frame = Frame()) -> Markup:
    """One group per week, oldest on the left; the last week is the one the page shows."""
    drawn = [Week(w.week, (w.completed, w.newly_overdue), w.overdue,
                  f"{w.week} ({w.period}): {w.completed} completed, {w.newly_overdue} newly overdue, "
                  f"{w.overdue} overdue in all") for w in weeks]
    desc = ""
    if weeks:
        last = weeks[-1]
        desc = (f"{len(weeks)} weeks from {weeks[0].week} to {last.week}: {sum(w.completed for w in weeks)} "
                f"items completed; in {last.week} {last.completed} completed, {last.newly_overdue} newly overdue, "
                f"{last.overdue} overdue in all.")
    return week_bars_chart(drawn, series=SERIES, frame=frame, title=title, desc=desc,
                           empty="Nothing completed or overdue in these weeks", class_="digest-trend",
                           mark_last=True)
