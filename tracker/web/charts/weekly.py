"""The programme home's chart of recent weeks: items done and customers told (bars), and the
items open and overdue at each week's end (a line). Drawn by week_bars.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from tracker.web.charts.svg import PlotFrame
from tracker.web.charts.week_bars import Series, Week, week_bars_chart


@dataclass(frozen=True)
class WeekPoint:
    label: str  # ISO week, "2026-W47"
    done: int  # items completed in the week
    overdue: int  # items open and overdue at the week's end
    told: int  # customers told about a fix in the week
    period: str = ""  # "16-22 Nov 2026", for the tooltip


@dataclass(frozen=True)
class Frame(PlotFrame):
    width: float = 720.0
    height: float = 300.0
    left: float = 44.0
    right: float = 16.0
    top: float = 44.0  # room for the legend
    bottom: float = 36.0


SERIES = Series(("Items done", "Customers told", "Open and overdue at week's end"), ("done", "told"))


def weekly_chart(weeks: Sequence[WeekPoint], *, frame: Frame = Frame(),
                 title: str = "The last 12 weeks") -> Markup:
    """One group per week, oldest on the left."""
    drawn = [Week(w.label, (w.done, w.told), w.overdue,
                  f"{w.label}{f' ({w.period})' if w.period else ''}: {w.done} done, {w.told} told, "
                  f"{w.overdue} overdue") for w in weeks]
    desc = ""
    if weeks:
        last = weeks[-1]
        desc = (f"{len(weeks)} weeks from {weeks[0].label} to {last.label}: "
                f"{sum(w.done for w in weeks)} items done, {sum(w.told for w in weeks)} customers told; "
                f"{last.overdue} open and overdue at the end of {last.label}.")
    return week_bars_chart(drawn, series=SERIES, frame=frame, title=title, desc=desc,
                           empty="Nothing done, overdue or told in these weeks yet", class_="weekly")
