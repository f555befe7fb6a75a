"""A Pareto chart: categories as bars in descending order, with the cumulative share as a line.

It answers "which few causes make most of the friction": bars on the left axis (counts), the
running total on the right axis (0-100 %), and a dashed 80 % guide.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from tracker.web.charts.svg import (
    BLUE,
    INK,
    MUTED,
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
class ParetoBar:
    label: str
    count: int


@dataclass(frozen=True)
class ParetoRow:
    label: str
    count: int
    share: float  # percent of the total
    cumulative: float  # percent of the total up to and including this row


def pareto_rows(bars: Sequence[ParetoBar]) -> list[ParetoRow]:
    """Sorted by count (descending, then label), each with its share and the running share.

    The running share is computed from the running count, not by adding rounded shares, so the
    last row is exactly 100.
    """
    ordered = sorted(bars, key=lambda b: (-b.count, b.label))
    total = sum(b.count for b in ordered)
    rows: list[ParetoRow] = []
    running = 0
    for bar in ordered:
        running += bar.count
        rows.append(ParetoRow(bar.label, bar.count, 100 * bar.count / total if total else 0.0,
                              100 * running / total if total else 0.0))
    return rows


@dataclass(frozen=True)
class Frame(PlotFrame):
    width: float = 560.0
    height: float = 320.0
    left: float = 48.0
    right: float = 52.0
    top: float = 20.0
    bottom: float = 48.0


def pareto_chart(
    bars: Sequence[ParetoBar], *, frame: Frame = Frame(), title: str = "Root causes by category",
    unit: str = "investigations",
) -> Markup:
    rows = pareto_rows(bars)
    total = sum(r.count for r in rows)
    if total == 0:
        return no_data(width=frame.width, height=frame.height, label=title,
                       message=f"No {unit} with a root cause yet", class_="pareto")
    top = axis_top(rows[0].count)
    band = frame.plot_w / len(rows)
    bar_w = min(band * 0.6, 72)
    right = frame.left + frame.plot_w

    def y_count(n: float) -> float:
        return frame.base - n / top * frame.plot_h

    def y_pct(p: float) -> float:
        return frame.base - p / 100 * frame.plot_h

    body: list[str] = []
    for k in range(5):  # four equal steps on both axes
        y = frame.top + k / 4 * frame.plot_h
        body.append(line(frame.left, y, right, y, class_="grid"))
        body.append(text(frame.left - 6, y + 4, num(top * (4 - k) / 4), anchor="end", fill=MUTED))
        body.append(text(right + 6, y + 4, f"{100 - 25 * k}%", anchor="start", fill=MUTED))
    body.append(line(frame.left, y_pct(80), right, y_pct(80), stroke=MUTED, dash="4 4", class_="guide-80"))
    body.append(line(frame.left, frame.base, right, frame.base, stroke=INK, class_="axis"))
    centres: list[float] = []
    for i, row in enumerate(rows):
        cx = frame.left + (i + 0.5) * band
        centres.append(cx)
        y = y_count(row.count)
        rect = attrs(x=cx - bar_w / 2, y=y, width=bar_w, height=frame.base - y, fill=BLUE,
                     class_="bar", data_count=row.count)
        tip = f"{row.label}: {row.count} ({row.share:.0f}%), {row.cumulative:.0f}% cumulative"
        body.append(f"<rect{rect}><title>{esc(tip)}</title></rect>")
        body.append(text(cx, y - 4, str(row.count), size=11, class_="count"))
        body.append(text(cx, frame.base + 18, row.label, class_="category", max_width=band - 4))
    points = " ".join(f"{num(x)},{num(y_pct(r.cumulative))}" for x, r in zip(centres, rows, strict=True))
    cumulative = attrs(points=points, fill="none", stroke=VERMILLION, stroke_width=2.0, class_="cumulative")
    body.append(f"<polyline{cumulative}/>")
    for x, r in zip(centres, rows, strict=True):
        marker = attrs(cx=x, cy=y_pct(r.cumulative), r=3.5, fill=VERMILLION, class_="cumulative-point",
                       data_percent=num(r.cumulative))
        body.append(f"<circle{marker}/>")
    body.append(text(frame.left + frame.plot_w / 2, frame.height - 8,
                     f"Count of {unit} (bars) and cumulative share (line, right axis)", size=11,
                     fill=INK, class_="axis-label"))
    desc = "; ".join(f"{r.label} {r.count} ({r.cumulative:.0f}% cumulative)" for r in rows)
    return svg(width=frame.width, height=frame.height, label=title, desc=desc, body=body, class_="pareto")

