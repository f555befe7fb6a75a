"""Server-side SVG pictures: pure functions from typed inputs to escaped SVG markup.

Each returns `markupsafe.Markup`, so a Jinja template can output it as is (`{{ chart }}`)
without escaping it a second time; every piece of user text inside was escaped here.
"""

from tracker.web.charts.emotion import Columns, EmotionStep, emotion_curve, step_xs, steps_of_map
from tracker.web.charts.lineup import LinedUp, line_up, lineup_curves
from tracker.web.charts.matrix import MatrixPoint, priority_matrix
from tracker.web.charts.pareto import ParetoBar, pareto_chart, pareto_rows
from tracker.web.charts.progress import progress_bar
from tracker.web.charts.weekly import WeekPoint, weekly_chart

__all__ = [
    "Columns", "EmotionStep", "LinedUp", "MatrixPoint", "ParetoBar", "WeekPoint", "emotion_curve", "line_up",
    "lineup_curves", "pareto_chart", "pareto_rows", "priority_matrix", "progress_bar", "step_xs", "steps_of_map",
    "weekly_chart",
]
