"""The emotion curve of a journey map: one point per step, drawn under the row of step cards.

The map page lays its steps out as equal-width columns; `Columns` is that layout, and the
curve puts each step's point at the centre of its column (`Columns.centre`), so a template
that draws the cards with the same `Columns` lines the two up exactly. Scores run from
SCORE_MIN (furious) at the bottom of the plot to SCORE_MAX (delighted) at the top, the range
the step schema accepts; a stray value outside it is drawn at the edge, not off the picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from tracker.journeys.schemas import JourneyMapOut
from tracker.web.charts.svg import BLUE, GRID, INK, MUTED, VERMILLION, attrs, esc, line, no_data, num, svg, text

SCORE_MIN, SCORE_MAX = -5, 5  # JourneyStep.emotion_score: -5 (furious) .. +5 (delighted)


@dataclass(frozen=True)
class EmotionStep:
    name: str
    score: int
    stage: str  # the stage's name, shown above its span
    stage_key: object = None  # tells apart two adjacent stages with the same name (the stage id)
    step_id: int | None = None
    column: int | None = None  # the step's column when columns are not simply 0, 1, 2, ... (line-up)


@dataclass(frozen=True)
class Columns:
    """Equal-width step columns: `left` margin, then width, gap, width, gap, ... width."""

    width: float = 160.0
    gap: float = 12.0
    left: float = 0.0

    def centre(self, index: int) -> float:
        return self.left + index * (self.width + self.gap) + self.width / 2

    def boundary(self, index: int) -> float:
        """The middle of the gap before column `index` (where a stage ends and the next begins)."""
        return self.left + index * (self.width + self.gap) - self.gap / 2

    def span(self, first: int, last: int) -> float:
        """The width of columns first..last, gaps between them included."""
        return (last - first + 1) * (self.width + self.gap) - self.gap

    def total(self, count: int) -> float:
        return self.left + count * self.width + max(count - 1, 0) * self.gap


@dataclass(frozen=True)
class Plot:
    height: float = 180.0
    top: float = 28.0  # room for the stage names
    bottom: float = 12.0

    def y(self, score: float) -> float:
        """SCORE_MAX at the top of the plot, SCORE_MIN at its bottom."""
        clamped = min(max(score, SCORE_MIN), SCORE_MAX)
        inner = self.height - self.top - self.bottom
        return self.top + (SCORE_MAX - clamped) / (SCORE_MAX - SCORE_MIN) * inner


def step_xs(count: int, columns: Columns = Columns()) -> list[float]:
    """The x of each step's point: for templates aligning cards (or pins) with the curve."""
    return [columns.centre(i) for i in range(count)]


def column_of(steps: Sequence[EmotionStep]) -> list[int]:
    """Each step's column: its own `column` when set (a lined-up map has gaps), else its index."""
    return [s.column if s.column is not None else i for i, s in enumerate(steps)]


def stage_spans(steps: Sequence[EmotionStep]) -> list[tuple[int, int, str]]:
    """(first column, last column, name) for each run of steps of one stage, in order."""
    spans: list[tuple[int, int, str]] = []
    cols = column_of(steps)
    for i, step in enumerate(steps):
        prev = steps[i - 1] if i else None
        if prev is not None and (prev.stage_key, prev.stage) == (step.stage_key, step.stage):
            spans[-1] = (spans[-1][0], cols[i], spans[-1][2])
        else:
            spans.append((cols[i], cols[i], step.stage))
    return spans


def signed(score: int) -> str:
    return f"+{score}" if score > 0 else str(score)


def guides(columns: Columns, plot: Plot, right: float) -> list[str]:
    """The top, zero and bottom of the scale, labelled at the left edge."""
    body: list[str] = []
    for score, dash in ((SCORE_MAX, "2 4"), (0, None), (SCORE_MIN, "2 4")):
        y = plot.y(score)
        body.append(line(columns.left, y, right, y, stroke=INK if score == 0 else GRID,
                         width=1, dash=dash, class_="zero-line" if score == 0 else "guide"))
        body.append(text(columns.left + 2, y - 3, signed(score), size=10, anchor="start", fill=MUTED))
    return body


def boundary(columns: Columns, plot: Plot, column: int, *, top: float) -> str:
    x = columns.boundary(column)
    return line(x, top, x, plot.height - plot.bottom, stroke=MUTED, dash="4 3", class_="stage-boundary")


def series(steps: Sequence[EmotionStep], *, columns: Columns, plot: Plot, colour: str,
           cls: str = "curve", dash: str | None = None, mark_lowest: bool = True,
           prefix: str = "") -> list[str]:
    """One map's polyline, a point per step (with a <title>), and the score beside each point."""
    xs = [columns.centre(c) for c in column_of(steps)]
    ys = [plot.y(s.score) for s in steps]
    points = " ".join(f"{num(x)},{num(y)}" for x, y in zip(xs, ys, strict=True))
    curve = attrs(points=points, fill="none", stroke=colour, stroke_width=2.5, stroke_linejoin="round",
                  stroke_dasharray=dash, class_=cls)
    body = [f"<polyline{curve}/>"]
    lowest = min(range(len(steps)), key=lambda i: steps[i].score)  # the first of equal lows
    for i, (step, x, y) in enumerate(zip(steps, xs, ys, strict=True)):
        low = mark_lowest and i == lowest and step.score < 0
        label = f"{prefix}{step.name} ({step.stage}): {signed(step.score)}"
        circle = attrs(cx=x, cy=y, r=6.0 if low else 4.5, fill=VERMILLION if low else "#ffffff",
                       stroke=VERMILLION if low else colour, stroke_width=2.0,
                       class_="point lowest" if low else "point", data_step_id=step.step_id)
        body.append(f"<circle{circle}><title>{esc(label)}</title></circle>")
        below = y < plot.height - plot.bottom - 14
        body.append(text(x, y + 16 if below else y - 9, signed(step.score), size=11, fill=INK, class_="score"))
    return body


def emotion_curve(
    steps: Sequence[EmotionStep], *, columns: Columns = Columns(), plot: Plot = Plot(),
    title: str = "Emotion curve",
) -> Markup:
    """The curve across `steps` (in journey order), with a zero line and stage boundaries."""
    if not steps:
        return no_data(width=max(columns.total(0), 320.0), height=plot.height, label=title,
                       message="No steps yet: add steps to draw the emotion curve", class_="emotion-curve")
    right = columns.total(max(column_of(steps)) + 1)
    body = guides(columns, plot, right)
    for index, (first, last, name) in enumerate(stage_spans(steps)):
        if index:
            body.append(boundary(columns, plot, first, top=plot.top - 20))
        centre = (columns.centre(first) + columns.centre(last)) / 2
        body.append(text(centre, plot.top - 10, name, weight="600", class_="stage-name",
                         max_width=columns.span(first, last)))
    body += series(steps, columns=columns, plot=plot, colour=BLUE)
    low = min(steps, key=lambda s: s.score)
    desc = (f"{len(steps)} steps from {steps[0].name} to {steps[-1].name}; lowest point "
            f"{low.name} at {signed(low.score)} on a scale of {SCORE_MIN} to +{SCORE_MAX}.")
    return svg(width=right, height=plot.height, label=title, desc=desc, body=body, class_="emotion-curve")


def steps_of_map(journey_map: JourneyMapOut) -> list[EmotionStep]:
    """The steps of a map as the API describes it (`journeys.views.map_out`), in journey order."""
    return [EmotionStep(name=step.name, score=step.emotion_score, stage=stage.name, stage_key=stage.id,
                        step_id=step.id)
            for stage in journey_map.stages for step in stage.steps]
