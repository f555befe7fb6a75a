"""A customer map and an employee map of one journey, lined up stage by stage.

Stage k of one map stands beside stage k of the other (in their order on the maps), and each
aligned stage is as wide as the longer of the two, so the stage boundaries line up and the
hand-offs where customer friction starts sit one above the other. `line_up` gives every
step its column (templates place the two rows of cards with `Columns.centre(step.column)`);
`lineup_curves` draws both emotion curves on one scale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from markupsafe import Markup

from tracker.web.charts.emotion import (
    Columns,
    EmotionStep,
    Plot,
    boundary,
    guides,
    series,
    signed,
    stage_spans,
)
from tracker.web.charts.svg import BLUE, GREEN, MUTED, line, no_data, svg, text


@dataclass(frozen=True)
class LinedUp:
    customer: list[EmotionStep]  # each with its column set
    employee: list[EmotionStep]
    starts: list[int]  # the first column of each aligned stage
    widths: list[int]  # its number of columns
    columns: int  # in all


def _runs(steps: Sequence[EmotionStep]) -> list[list[EmotionStep]]:
    runs: list[list[EmotionStep]] = []
    for step in steps:
        if runs and (runs[-1][-1].stage_key, runs[-1][-1].stage) == (step.stage_key, step.stage):
            runs[-1].append(step)
        else:
            runs.append([step])
    return runs


def line_up(customer: Sequence[EmotionStep], employee: Sequence[EmotionStep]) -> LinedUp:
    """Both maps' steps (in journey order) with columns; a map with fewer stages ends early."""
    a, b = _runs(customer), _runs(employee)
    starts, widths = [], []
    placed: tuple[list[EmotionStep], list[EmotionStep]] = ([], [])
    column = 0
    for k in range(max(len(a), len(b))):
        pair = (a[k] if k < len(a) else [], b[k] if k < len(b) else [])
        width = max(len(pair[0]), len(pair[1]))
        starts.append(column)
        widths.append(width)
        for out, run in zip(placed, pair, strict=True):
            out.extend(replace(step, column=column + j) for j, step in enumerate(run))
        column += width
    return LinedUp(customer=placed[0], employee=placed[1], starts=starts, widths=widths, columns=column)


LINEUP_PLOT = Plot(height=250.0, top=72.0, bottom=12.0)


def lineup_curves(
    lined: LinedUp, *, columns: Columns = Columns(), plot: Plot = LINEUP_PLOT,
    customer_label: str = "Customer", employee_label: str = "Employee",
    title: str = "Customer and employee emotion, stage by stage",
) -> Markup:
    """Both curves on one scale: the customer's solid blue, the employee's dashed green."""
    if not lined.columns:
        return no_data(width=320.0, height=plot.height, label=title,
                       message="Neither map has steps yet", class_="emotion-lineup")
    right = columns.total(lined.columns)
    body = guides(columns, plot, right)
    for start in lined.starts[1:]:
        body.append(boundary(columns, plot, start, top=plot.top - 40))
    # Legend, then a row of stage names per map (the employee's only where it differs).
    x = columns.left
    for label, colour, dash in ((customer_label, BLUE, None), (employee_label, GREEN, "6 4")):
        body.append(line(x, 14, x + 24, 14, stroke=colour, width=2.5, dash=dash, class_="legend-line"))
        body.append(text(x + 30, 18, label, anchor="start", class_="legend"))
        x += 30 + 7.5 * len(label) + 24
    customer_spans = stage_spans(lined.customer)
    for first, last, name in customer_spans:
        centre = (columns.centre(first) + columns.centre(last)) / 2
        body.append(text(centre, plot.top - 28, name, weight="600", class_="stage-name customer",
                         max_width=columns.span(first, last)))
    shown = {(first, name) for first, _, name in customer_spans}
    for first, last, name in stage_spans(lined.employee):
        if (first, name) not in shown:
            centre = (columns.centre(first) + columns.centre(last)) / 2
            body.append(text(centre, plot.top - 12, name, fill=MUTED, class_="stage-name employee",
                             max_width=columns.span(first, last)))
    if lined.customer:
        body += series(lined.customer, columns=columns, plot=plot, colour=BLUE, cls="curve customer",
                       prefix=f"{customer_label}: ")
    if lined.employee:
        body += series(lined.employee, columns=columns, plot=plot, colour=GREEN, cls="curve employee",
                       dash="6 4", prefix=f"{employee_label}: ")
    lows = [f"{who} lowest at {low.name} ({signed(low.score)})"
            for who, steps in ((customer_label, lined.customer), (employee_label, lined.employee)) if steps
            for low in [min(steps, key=lambda s: s.score)]]
    desc = f"{len(lined.starts)} stages side by side; " + "; ".join(lows) + "."
    return svg(width=right, height=plot.height, label=title, desc=desc, body=body, class_="emotion-lineup")
