"""Weeks side by side: two counts as bars and a third as a dashed line with square markers, on
one count axis, the oldest week on the left. The programme home's chart (weekly.py) and the
digest page's (digest_trend.py) are this picture with their own series.

The three series differ in colour and also in shape (two solid bars of different grey levels,
a dashed line), so a black-and-white print still tells them apart; the legend names them.
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
class Week:
    label: str  # ISO week, "2026-W47"
    bars: tuple[int, int]  # the two counts drawn as bars, left then right
    line: int  # the count on the dashed line
    tip: str  # the tooltip: the week's figures in words


@dataclass(frozen=True)
class Series:
    names: tuple[str, str, str]  # the legend: left bar, right bar, line
    classes: tuple[str, str]  # the bars' CSS classes (tests and stylesheets read them)


def _short(label: str) -> str:
    """'2026-W47' -> 'W47' (the year is in the tooltip and the title)."""
    return label.split("-", 1)[1] if "-W" in label else label


def _legend(frame: PlotFrame, series: Series) -> str:
    body: list[str] = []
    x = frame.left
    for name, colour in zip(series.names, (BLUE, ORANGE, VERMILLION), strict=True):
        if colour == VERMILLION:
            body.append(line(x, 16, x + 18, 16, stroke=colour, width=2.5, dash="5 3"))
            body.append(f"<rect{attrs(x=x + 5.0, y=12.0, width=8.0, height=8.0, fill=colour)}/>")
        else:
            swatch = attrs(x=x, y=10.0, width=18.0, height=12.0, fill=colour, stroke=INK, stroke_width=0.5)
            body.append(f"<rect{swatch}/>")
        body.append(text(x + 24, 20, name, anchor="start", class_="legend"))
        x += 24 + 7.2 * len(name) + 20
    return f'<g class="legend">{"".join(body)}</g>'


def week_bars_chart(weeks: Sequence[Week], *, series: Series, frame: PlotFrame, title: str, desc: str,
                    empty: str, class_: str, mark_last: bool = False) -> Markup:
    """`mark_last`: the last week is the one the page is about; its label is set in bold."""
    if not weeks or not any(w.bars[0] or w.bars[1] or w.line for w in weeks):
        return no_data(width=frame.width, height=frame.height, label=title, message=empty, class_=class_)
    top = axis_top(max(max(*w.bars, w.line) for w in weeks))
    band = frame.plot_w / len(weeks)
    bar_w = min(band * 0.32, 22)
    right = frame.left + frame.plot_w

    def y(n: float) -> float:
        return frame.base - n / top * frame.plot_h

    body = [_legend(frame, series)]
    for k in range(5):
        gy = frame.top + k / 4 * frame.plot_h
        body.append(line(frame.left, gy, right, gy, class_="grid"))
        body.append(text(frame.left - 6, gy + 4, num(top * (4 - k) / 4), anchor="end", fill=MUTED))
    body.append(line(frame.left, frame.base, right, frame.base, stroke=INK, class_="axis"))
    centres: list[float] = []
    for i, w in enumerate(weeks):
        cx = frame.left + (i + 0.5) * band
        centres.append(cx)
        group = [f"<title>{esc(w.tip)}</title>"]
        for value, colour, dx, kind in ((w.bars[0], BLUE, -bar_w, series.classes[0]),
                                        (w.bars[1], ORANGE, 0.0, series.classes[1])):
            rect = attrs(x=cx + dx, y=y(value), width=bar_w, height=frame.base - y(value), fill=colour,
                         class_=f"bar {kind}", data_value=value)
            group.append(f"<rect{rect}/>")
        shown = mark_last and i == len(weeks) - 1
        group.append(text(cx, frame.base + 16, _short(w.label), size=11, fill=INK if shown else MUTED,
                          weight="700" if shown else None, class_="week"))
        body.append(f'<g{attrs(class_="week-group", data_week=w.label)}>{"".join(group)}</g>')
    points = " ".join(f"{num(x)},{num(y(w.line))}" for x, w in zip(centres, weeks, strict=True))
    overdue = attrs(points=points, fill="none", stroke=VERMILLION, stroke_width=2.5, stroke_dasharray="5 3",
                    class_="overdue")
    body.append(f"<polyline{overdue}/>")
    for x, w in zip(centres, weeks, strict=True):
        marker = attrs(x=x - 4, y=y(w.line) - 4, width=8.0, height=8.0, fill=VERMILLION,
                       class_="overdue-point", data_value=w.line)
        body.append(f"<rect{marker}/>")
    return svg(width=frame.width, height=frame.height, label=title, desc=desc, body=body, class_=class_)
