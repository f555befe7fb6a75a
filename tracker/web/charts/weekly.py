"""The programme home's chart of recent weeks: items done and customers told (bars), and the
items open and overdue at each week's end (a line).

Bars and line share one count axis. The three series differ in colour, and also in shape (two
solid bars of different grey levels, a dashed line with square markers), so a black-and-white
print still tells them apart; the legend names them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

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


SERIES = (("Items done", BLUE), ("Customers told", ORANGE), ("Open and overdue at week's end", VERMILLION))


def _short(label: str) -> str:
    """'2026-W47' -> 'W47' (the year is in the tooltip and the title)."""
    return label.split("-", 1)[1] if "-W" in label else label


def _legend(frame: Frame) -> list[str]:
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
    return [f'<g class="legend">{"".join(body)}</g>']


def weekly_chart(weeks: Sequence[WeekPoint], *, frame: Frame = Frame(),
                 title: str = "The last 12 weeks") -> Markup:
    """One group per week, oldest on the left."""
    if not weeks or not any(w.done or w.overdue or w.told for w in weeks):
        return no_data(width=frame.width, height=frame.height, label=title,
                       message="Nothing done, overdue or told in these weeks yet", class_="weekly")
    top = axis_top(max(max(w.done, w.told, w.overdue) for w in weeks))
    band = frame.plot_w / len(weeks)
    bar_w = min(band * 0.32, 22)
    right = frame.left + frame.plot_w

    def y(n: float) -> float:
        return frame.base - n / top * frame.plot_h

    body = _legend(frame)
    for k in range(5):
        gy = frame.top + k / 4 * frame.plot_h
        body.append(line(frame.left, gy, right, gy, class_="grid"))
        body.append(text(frame.left - 6, gy + 4, num(top * (4 - k) / 4), anchor="end", fill=MUTED))
    body.append(line(frame.left, frame.base, right, frame.base, stroke=INK, class_="axis"))
    centres: list[float] = []
    for i, w in enumerate(weeks):
        cx = frame.left + (i + 0.5) * band
        centres.append(cx)
        tip = f"{w.label}{f' ({w.period})' if w.period else ''}: {w.done} done, {w.told} told, {w.overdue} overdue"
        group = [f"<title>{esc(tip)}</title>"]
        for value, colour, dx, kind in ((w.done, BLUE, -bar_w, "done"), (w.told, ORANGE, 0.0, "told")):
            rect = attrs(x=cx + dx, y=y(value), width=bar_w, height=frame.base - y(value), fill=colour,
                         class_=f"bar {kind}", data_value=value)
            group.append(f"<rect{rect}/>")
        group.append(text(cx, frame.base + 16, _short(w.label), size=11, fill=MUTED, class_="week"))
        body.append(f'<g{attrs(class_="week-group", data_week=w.label)}>{"".join(group)}</g>')
    points = " ".join(f"{num(x)},{num(y(w.overdue))}" for x, w in zip(centres, weeks, strict=True))
    overdue = attrs(points=points, fill="none", stroke=VERMILLION, stroke_width=2.5, stroke_dasharray="5 3",
                    class_="overdue")
    body.append(f"<polyline{overdue}/>")
    for x, w in zip(centres, weeks, strict=True):
        marker = attrs(x=x - 4, y=y(w.overdue) - 4, width=8.0, height=8.0, fill=VERMILLION,
                       class_="overdue-point", data_value=w.overdue)
        body.append(f"<rect{marker}/>")
    last = weeks[-1]
    desc = (f"{len(weeks)} weeks from {weeks[0].label} to {last.label}: "
            f"{sum(w.done for w in weeks)} items done, {sum(w.told for w in weeks)} customers told; "
            f"{last.overdue} open and overdue at the end of {last.label}.")
    return svg(width=frame.width, height=frame.height, label=title, desc=desc, body=body, class_="weekly")
