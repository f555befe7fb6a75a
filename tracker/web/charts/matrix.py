"""The impact x effort matrix of the moments of truth: one circle per moment on a 2 x 2 grid.

Impact is the priority formula's `value` (the weighted mean of reach, severity, emotional
weight and business impact: 1..5, see tracker/moments/priority.py); effort is the moment's
effort factor (1..5). Effort runs left to right and impact bottom to top, split at the scale's
middle (3), so the top-left quadrant holds the quick wins. Each circle carries the moment's
rank; its size grows with reach (how many customers meet it) or with the score.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from markupsafe import Markup

from tracker.web.charts.svg import BLUE, INK, MUTED, PlotFrame, attrs, esc, line, no_data, num, svg, text

FACTOR_MIN, FACTOR_MAX = 1, 5
MIDDLE = 3
# (label, high impact?, low effort?) for each quadrant.
QUADRANTS = (("Quick wins", True, True), ("Big bets", True, False),
             ("Fill-ins", False, True), ("Money pits", False, False))


@dataclass(frozen=True)
class MatrixPoint:
    moment_id: int
    title: str
    rank: int
    value: float  # impact, 1..5
    effort: int  # 1..5
    score: float  # 0..100
    reach: int = 3  # 1..5


@dataclass(frozen=True)
class Frame(PlotFrame):
    width: float = 560.0
    height: float = 420.0
    left: float = 56.0
    right: float = 16.0
    top: float = 20.0
    bottom: float = 52.0

    def x(self, effort: float) -> float:
        """Effort 1..5 at the centres of five equal bands."""
        clamped = min(max(effort, FACTOR_MIN), FACTOR_MAX)
        return self.left + (clamped - FACTOR_MIN + 0.5) / (FACTOR_MAX - FACTOR_MIN + 1) * self.plot_w

    def y(self, impact: float) -> float:
        """Impact 1..5 bottom to top, half a unit of margin at each end."""
        clamped = min(max(impact, FACTOR_MIN), FACTOR_MAX)
        return self.top + (FACTOR_MAX + 0.5 - clamped) / (FACTOR_MAX - FACTOR_MIN + 1) * self.plot_h


def radius(point: MatrixPoint, size_by: Literal["reach", "score"]) -> float:
    """7 to 15 units: big enough for a two-digit rank, small enough to keep neighbours apart."""
    share = (point.reach - 1) / 4 if size_by == "reach" else point.score / 100
    return 7 + 8 * min(max(share, 0.0), 1.0)


def quadrant(point: MatrixPoint) -> str:
    """The quadrant label of a point (on the middle line counts as high impact / low effort)."""
    for label, high, low in QUADRANTS:
        if (point.value >= MIDDLE) == high and (point.effort <= MIDDLE) == low:
            return label
    raise AssertionError("unreachable")


def _spread(points: Sequence[MatrixPoint], frame: Frame) -> dict[int, float]:
    """x per moment: points sharing an effort and (nearly) an impact are set side by side."""
    cells: dict[tuple[int, float], list[MatrixPoint]] = defaultdict(list)
    for p in sorted(points, key=lambda p: p.rank):
        cells[(p.effort, round(p.value * 4) / 4)].append(p)
    band = frame.plot_w / (FACTOR_MAX - FACTOR_MIN + 1)
    xs: dict[int, float] = {}
    for (effort, _), members in cells.items():
        step = min(22.0, (band - 16) / max(len(members) - 1, 1))
        for k, p in enumerate(members):
            xs[p.moment_id] = frame.x(effort) + (k - (len(members) - 1) / 2) * step
    return xs


def _axes(frame: Frame) -> list[str]:
    body: list[str] = []
    bottom, right = frame.top + frame.plot_h, frame.left + frame.plot_w
    plot = attrs(x=frame.left, y=frame.top, width=frame.plot_w, height=frame.plot_h, fill="#ffffff",
                 stroke=INK, class_="plot")
    body.append(f"<rect{plot}/>")
    for v in range(FACTOR_MIN, FACTOR_MAX + 1):
        body.append(line(frame.left, frame.y(v), right, frame.y(v), class_="grid"))
        body.append(text(frame.left - 8, frame.y(v) + 4, str(v), anchor="end", fill=MUTED))
        body.append(text(frame.x(v), bottom + 18, str(v), fill=MUTED))
    mid_x = (frame.x(MIDDLE - 0.5) + frame.x(MIDDLE + 0.5)) / 2
    body.append(line(mid_x, frame.top, mid_x, bottom, stroke=INK, dash="6 4", class_="quadrant-line"))
    body.append(line(frame.left, frame.y(MIDDLE), right, frame.y(MIDDLE), stroke=INK, dash="6 4",
                     class_="quadrant-line"))
    for label, high, low in QUADRANTS:
        x = frame.left + 8 if low else right - 8
        y = frame.top + 16 if high else bottom - 8
        body.append(text(x, y, label, anchor="start" if low else "end", fill=MUTED, weight="600",
                         class_="quadrant"))
    body.append(text(frame.left + frame.plot_w / 2, frame.height - 8,
                     "Effort to fix (1 = least work, 5 = most)", class_="axis-label"))
    cy = frame.top + frame.plot_h / 2
    vertical = attrs(x=16.0, y=cy, font_size=12, text_anchor="middle", fill=INK,
                     transform=f"rotate(-90 16 {num(cy)})", class_="axis-label")
    body.append(f"<text{vertical}>Impact (weighted value, 1 to 5)</text>")
    return body


def priority_matrix(
    points: Sequence[MatrixPoint], *, size_by: Literal["reach", "score"] = "reach",
    frame: Frame = Frame(), title: str = "Moments of truth: impact and effort",
) -> Markup:
    """Circles on the impact x effort grid, labelled with their rank; rank 1 is drawn on top."""
    if not points:
        return no_data(width=frame.width, height=frame.height, label=title,
                       message="No moments of truth yet", class_="priority-matrix")
    xs = _spread(points, frame)
    body = _axes(frame)
    for p in sorted(points, key=lambda p: -p.rank):  # later in the document = drawn on top
        x, y, r = xs[p.moment_id], frame.y(p.value), radius(p, size_by)
        tip = (f"#{p.rank} {p.title}: impact {p.value:.1f}, effort {p.effort}, score {p.score:.1f}, "
               f"reach {p.reach} ({quadrant(p)})")
        circle = attrs(cx=x, cy=y, r=r, fill=BLUE, stroke="#ffffff", stroke_width=1.5,
                       class_="moment", data_moment_id=p.moment_id, data_rank=p.rank)
        body.append(f"<g><circle{circle}><title>{esc(tip)}</title></circle>"
                    + text(x, y + 4, str(p.rank), size=11, fill="#ffffff", weight="700", class_="rank")
                    + "</g>")
    top = sorted(points, key=lambda p: p.rank)[0]
    quick = sum(1 for p in points if quadrant(p) == "Quick wins")
    desc = (f"{len(points)} moments of truth; rank 1 is {top.title} (impact {top.value:.1f}, effort "
            f"{top.effort}); {quick} in the quick-wins quadrant.")
    return svg(width=frame.width, height=frame.height, label=title, desc=desc, body=body,
               class_="priority-matrix")

