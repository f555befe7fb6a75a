"""A success metric over time, with the fix marked: did the line move after it shipped?

The series is a line with a point per measured period, on a time axis (a missing period leaves
a longer segment, never a fake value). The verdict's before and after windows are shaded bands
(light blue before, light green after, each labelled in words so colour is not the only cue),
with the median of each window as a dashed line across it. The days the first and the last fix
shipped are vertical lines labelled above the plot; one line when they are the same day.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup

from tracker.web.charts.svg import (
    BLUE,
    GREEN,
    INK,
    MUTED,
    SKY,
    VERMILLION,
    PlotFrame,
    attrs,
    esc,
    line,
    no_data,
    num,
    svg,
    text,
)


@dataclass(frozen=True)
class MetricPoint:
    start: date  # the period's first day
    end: date  # its last day
    label: str  # "2026-W05"
    value: float


@dataclass(frozen=True)
class Band:
    """A verdict window: its first and last day, and the median of the values inside."""

    start: date
    end: date
    median: float | None


@dataclass(frozen=True)
class Frame(PlotFrame):
    width: float = 480.0
    height: float = 270.0
    left: float = 40.0
    right: float = 12.0
    top: float = 52.0  # two rows of ship-date labels above the plot
    bottom: float = 36.0


def _nice_step(span: float) -> float:
    raw = span / 4 if span > 0 else 1.0
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def value_axis(values: Sequence[float]) -> tuple[float, float, float]:
    """(bottom, top, step) with round steps. Counts start at zero, so a drop is drawn to scale;
    a score far from zero (a CSAT of 3.8-4.3) gets a tighter axis, or its noise would be flat."""
    lo, hi = min(values), max(values)
    if lo >= 0 and lo <= hi / 2:
        lo = 0.0
    step = _nice_step(hi - lo or abs(hi) or 1.0)
    bottom = math.floor(lo / step) * step
    top = math.ceil(hi / step) * step
    if top == bottom:
        top = bottom + step
    return bottom, top, step


def _short(day: date) -> str:
    return f"{day.day} {day:%b}"


def metric_history_chart(points: Sequence[MetricPoint], *, name: str, unit: str,
                         before: Band | None = None, after: Band | None = None,
                         first_shipped: date | None = None, last_shipped: date | None = None,
                         frame: Frame = Frame()) -> Markup:
    """`points` oldest first; the bands and ship dates are drawn when given."""
    title = f"{name} over time"
    if not points:
        return no_data(width=frame.width, height=frame.height, label=title,
                       message="No values recorded yet", class_="metric-history")
    days = [points[0].start, points[-1].end + timedelta(days=1)]
    for band in (before, after):
        if band is not None:
            days += [band.start, band.end + timedelta(days=1)]
    days += [d for d in (first_shipped, last_shipped) if d is not None]
    first_day, last_day = min(days), max(days)
    span = max((last_day - first_day).days, 1)
    bottom, top, step = value_axis([p.value for p in points])
    right = frame.left + frame.plot_w

    def x(day: date, fraction: float = 0.0) -> float:
        return frame.left + ((day - first_day).days + fraction) / span * frame.plot_w

    def y(value: float) -> float:
        return frame.base - (value - bottom) / (top - bottom) * frame.plot_h

    body: list[str] = []
    for kind, band, colour, words in (("before", before, SKY, "Before"), ("after", after, GREEN, "After")):
        if band is None:
            continue
        x1, x2 = x(band.start), x(band.end + timedelta(days=1))
        rect = attrs(x=x1, y=float(frame.top), width=x2 - x1, height=float(frame.plot_h), fill=colour,
                     fill_opacity="0.16", class_=f"window window-{kind}",
                     data_start=band.start.isoformat(), data_end=band.end.isoformat())
        body.append(f"<rect{rect}><title>{esc(words)} window: {band.start} to {band.end}</title></rect>")
        body.append(text((x1 + x2) / 2, frame.top + 14, f"{words} window", size=12, fill=INK,
                         class_=f"window-label window-label-{kind}", max_width=x2 - x1 - 4))
    ticks = round((top - bottom) / step)
    for k in range(ticks + 1):
        value = bottom + k * step
        gy = y(value)
        body.append(line(frame.left, gy, right, gy, class_="grid"))
        body.append(text(frame.left - 6, gy + 4, f"{value:g}", anchor="end", fill=MUTED, class_="tick"))
    body.append(line(frame.left, frame.base, right, frame.base, stroke=INK, class_="axis"))
    # About six dates along the bottom, at period starts, so the axis reads as a calendar.
    every = max(1, math.ceil(len(points) / 5))
    for p in points[::every]:
        body.append(text(x(p.start), frame.base + 16, _short(p.start), size=12, fill=MUTED, class_="date"))
    for kind, band in (("before", before), ("after", after)):
        if band is not None and band.median is not None:
            my = y(band.median)
            body.append(line(x(band.start), my, x(band.end + timedelta(days=1)), my, stroke=INK,
                             width=1.5, dash="6 4", class_=f"median median-{kind}"))
    xs = [x(p.start, ((p.end - p.start).days + 1) / 2) for p in points]
    path = " ".join(f"{num(px)},{num(y(p.value))}" for px, p in zip(xs, points, strict=True))
    body.append(f"<polyline{attrs(points=path, fill='none', stroke=BLUE, stroke_width=2.0, class_='series')}/>")
    for px, p in zip(xs, points, strict=True):
        dot = attrs(cx=px, cy=y(p.value), r=3.5, fill=BLUE, stroke="#ffffff", stroke_width=1.0,
                    class_="point", data_period=p.label, data_value=f"{p.value:g}")
        body.append(f"<circle{dot}><title>{esc(p.label)}: {esc(f'{p.value:g} {unit}'.strip())}</title></circle>")
    body += _ship_marks(first_shipped, last_shipped, x, frame)
    return svg(width=frame.width, height=frame.height, label=title, class_="metric-history",
               desc=_describe(points, unit, before, after, first_shipped, last_shipped), body=body)


def _ship_marks(first: date | None, last: date | None, x: Callable[[date, float], float],
                frame: Frame) -> list[str]:
    """Vertical lines at noon of each ship day; the first's label reads leftwards, the last's
    rightwards, on separate rows, so fixes a few days apart never print over each other."""
    marks: list[tuple[date, str, str, float, str]] = []
    if first is not None and last is not None and first == last:
        marks.append((first, f"Fix shipped {_short(first)}", "start", 18.0, "ship-first ship-last"))
    else:
        if first is not None:
            marks.append((first, f"First fix {_short(first)}", "end", 18.0, "ship-first"))
        if last is not None:
            marks.append((last, f"Last fix {_short(last)}", "start", 36.0, "ship-last"))
    body: list[str] = []
    for day, words, anchor, label_y, cls in marks:
        mx = x(day, 0.5)
        body.append(line(mx, label_y + 4, mx, frame.base, stroke=VERMILLION, width=2, dash="3 3",
                         class_=f"ship {cls}"))
        dx = -4 if anchor == "end" else 4
        body.append(text(mx + dx, label_y, words, anchor=anchor, size=12, fill=INK, weight="600",
                         class_=f"ship-label {cls}"))
    return body


def _describe(points: Sequence[MetricPoint], unit: str, before: Band | None, after: Band | None,
              first: date | None, last: date | None) -> str:
    u = f" {unit}" if unit else ""
    parts = [f"{len(points)} values from {points[0].label} to {points[-1].label}"]
    if first is not None:
        parts.append(f"first fix shipped {first.isoformat()}"
                     + (f", last {last.isoformat()}" if last is not None and last != first else ""))
    for words, band in (("before", before), ("after", after)):
        if band is not None:
            median = "no values" if band.median is None else f"median {band.median:g}{u}"
            parts.append(f"{words} window {band.start.isoformat()} to {band.end.isoformat()}, {median}")
    return "; ".join(parts) + "."
