"""The digest page's chart: a scope's digests over the last weeks. Items completed and newly
overdue per week (bars), and overdue in all at each week's end (a line), the week shown last.

Drawn like the programme home's weekly chart (weekly.py): one count axis, the series told apart
by colour and by shape (two solid bars of different grey levels, a dashed line with square
markers), so a black-and-white print still reads; the legend names them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from tracker.digests.trend import WeekTotals
from tracker.web.charts.svg import (
    BLUE,
    INK,
    MUTED,
    ORANGE,
    VERMILLION,
    PlotFrame,
    attrs,
    axis_top,
    esc,
    line,
    no_data,
    num,
    svg,
    text,
)


@dataclass(frozen=True)
class Frame(PlotFrame):
    width: float = 640.0
    height: float = 260.0
    left: float = 40.0
    right: float = 12.0
    top: float = 40.0  # room for the legend
    bottom: float = 32.0


SERIES = (("Completed", BLUE), ("Newly overdue", ORANGE), ("Overdue in all", VERMILLION))


def _short(label: str) -> str:
    """'2026-W47' -> 'W47' (the year is in the tooltip)."""
    return label.split("-", 1)[1] if "-W" in label else label


def _legend(frame: Frame) -> str:
    body: list[str] = []
    x = frame.left
    for name, colour in SERIES:
        if colour == VERMILLION:
            body.append(line(x, 16, x + 18, 16, stroke=colour, width=2.5, dash="5 3"))
            body.append(f"<rect{attrs(x=x + 5.0, y=12.0, width=8.0, height=8.0, fill=colour)}/>")
        else:
            swatch = attrs(x=x, y=10.0, width=18.0, height=12.0, fill=colour, stroke=INK, stroke_width=0.5)
            body.append(f"<rect{swatch}/>")
        body.append(text(x + 24, 20, name, anchor="start", class_="legend"))
        x += 24 + 7.2 * len(name) + 20
    return f'<g class="legend">{"".join(body)}</g>'


def digest_trend_chart(weeks: Sequence[WeekTotals], *, title: str, frame: Frame = Frame()) -> Markup:
    """One group per week, oldest on the left; the last week is the one the page shows."""
    if not weeks or not any(w.completed or w.newly_overdue or w.overdue for w in weeks):
        return no_data(width=frame.width, height=frame.height, label=title,
                       message="Nothing completed or overdue in these weeks", class_="digest-trend")
    top = axis_top(max(max(w.completed, w.newly_overdue, w.overdue) for w in weeks))
    band = frame.plot_w / len(weeks)
    bar_w = min(band * 0.32, 22)
    right = frame.left + frame.plot_w

    def y(n: float) -> float:
        return frame.base - n / top * frame.plot_h

    body = [_legend(frame)]
    for k in range(5):
        gy = frame.top + k / 4 * frame.plot_h
        body.append(line(frame.left, gy, right, gy, class_="grid"))
        body.append(text(frame.left - 6, gy + 4, num(top * (4 - k) / 4), anchor="end", fill=MUTED))
    body.append(line(frame.left, frame.base, right, frame.base, stroke=INK, class_="axis"))
    centres: list[float] = []
    for i, w in enumerate(weeks):
        cx = frame.left + (i + 0.5) * band
        centres.append(cx)
        tip = (f"{w.week} ({w.period}): {w.completed} completed, {w.newly_overdue} newly overdue, "
               f"{w.overdue} overdue in all")
        group = [f"<title>{esc(tip)}</title>"]
        for value, colour, dx, kind in ((w.completed, BLUE, -bar_w, "completed"),
                                        (w.newly_overdue, ORANGE, 0.0, "newly-overdue")):
            rect = attrs(x=cx + dx, y=y(value), width=bar_w, height=frame.base - y(value), fill=colour,
                         class_=f"bar {kind}", data_value=value)
            group.append(f"<rect{rect}/>")
        shown = i == len(weeks) - 1
        group.append(text(cx, frame.base + 16, _short(w.week), size=11, fill=INK if shown else MUTED,
                          weight="700" if shown else None, class_="week"))
        body.append(f'<g{attrs(class_="week-group", data_week=w.week)}>{"".join(group)}</g>')
    points = " ".join(f"{num(x)},{num(y(w.overdue))}" for x, w in zip(centres, weeks, strict=True))
    overdue = attrs(points=points, fill="none", stroke=VERMILLION, stroke_width=2.5, stroke_dasharray="5 3",
                    class_="overdue")
    body.append(f"<polyline{overdue}/>")
    for x, w in zip(centres, weeks, strict=True):
        marker = attrs(x=x - 4, y=y(w.overdue) - 4, width=8.0, height=8.0, fill=VERMILLION,
                       class_="overdue-point", data_value=w.overdue)
        body.append(f"<rect{marker}/>")
    last = weeks[-1]
    desc = (f"{len(weeks)} weeks from {weeks[0].week} to {last.week}: {sum(w.completed for w in weeks)} "
            f"items completed; in {last.week} {last.completed} completed, {last.newly_overdue} newly overdue, "
            f"{last.overdue} overdue in all.")
    return svg(width=frame.width, height=frame.height, label=title, desc=desc, body=body, class_="digest-trend")
