"""The emotion curve: scale, step order, alignment with the step columns, stages, escaping."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.factories.programme import build_world
from tests.web.charts.svgxml import (
    HOSTILE,
    assert_accessible,
    assert_inert,
    f,
    find,
    parse,
    points,
    texts,
    tooltips,
)
from tracker.journeys.models import Channel, JourneyStep
from tracker.journeys.views import map_out
from tracker.web.charts.emotion import Columns, EmotionStep, Plot, emotion_curve, step_xs, steps_of_map

COLS = Columns(width=100, gap=20, left=10)
PLOT = Plot(height=200, top=30, bottom=10)


def steps(*scores: int, stages: str = "aab") -> list[EmotionStep]:
    return [EmotionStep(name=f"Step {i}", score=s, stage=f"Stage {stages[i]}", stage_key=stages[i], step_id=i)
            for i, s in enumerate(scores)]


def test_extremes_sit_on_the_edges_of_the_plot_and_zero_on_the_zero_line() -> None:
    root = parse(emotion_curve(steps(-5, 0, 5), columns=COLS, plot=PLOT))
    assert_accessible(root)
    (curve,) = find(root, "polyline", "curve")
    ys = [y for _, y in points(curve)]
    assert ys == [190.0, 110.0, 30.0]  # bottom of the plot, the middle, its top
    (zero,) = find(root, "line", "zero-line")
    assert f(zero, "y1") == f(zero, "y2") == 110.0


def test_points_follow_the_step_columns_in_journey_order() -> None:
    root = parse(emotion_curve(steps(-1, -3, 2), columns=COLS, plot=PLOT))
    (curve,) = find(root, "polyline", "curve")
    assert [x for x, _ in points(curve)] == [60.0, 180.0, 300.0] == step_xs(3, COLS)
    circles = find(root, "circle", "point")
    assert [c.get("data-step-id") for c in circles] == ["0", "1", "2"]
    assert [f(c, "cx") for c in circles] == [60.0, 180.0, 300.0]
    # The picture is exactly as wide as the row of cards it sits under.
    assert root.get("viewBox") == "0 0 350 200" and COLS.total(3) == 10 + 3 * 100 + 2 * 20


def test_each_point_names_its_step_and_score_and_the_first_low_is_marked() -> None:
    root = parse(emotion_curve(steps(-4, 2, -4), columns=COLS, plot=PLOT))
    circles = find(root, "circle", "point")
    assert [c[0].text for c in circles] == ["Step 0 (Stage a): -4", "Step 1 (Stage a): +2", "Step 2 (Stage b): -4"]
    assert [c.get("class") for c in circles] == ["point lowest", "point", "point"]
    assert texts(root, "score") == ["-4", "+2", "-4"]


def test_stage_boundaries_fall_between_stages_and_name_each_stage_once() -> None:
    data = steps(1, 2, 3, 4, stages="abba")  # a, b, b, a again: three stage runs
    root = parse(emotion_curve(data, columns=COLS, plot=PLOT))
    assert [f(b, "x1") for b in find(root, "line", "stage-boundary")] == [COLS.boundary(1), COLS.boundary(3)]
    assert COLS.boundary(1) == 120.0  # the middle of the gap between 10+100 and 130
    assert texts(root, "stage-name") == ["Stage a", "Stage b", "Stage a"]
    # Two adjacent stages with the same name are still two stages.
    same_name = [EmotionStep("x", 0, "Same", stage_key=1), EmotionStep("y", 0, "Same", stage_key=2)]
    assert len(find(parse(emotion_curve(same_name, columns=COLS)), "line", "stage-boundary")) == 1


def test_scores_outside_the_scale_are_drawn_at_its_edge() -> None:
    root = parse(emotion_curve(steps(-9, 12), columns=COLS, plot=PLOT))
    (curve,) = find(root, "polyline", "curve")
    assert [y for _, y in points(curve)] == [190.0, 30.0]


def test_hostile_step_and_stage_names_stay_text() -> None:
    markup = emotion_curve([EmotionStep(HOSTILE, -2, HOSTILE, stage_key=1)], title=HOSTILE)
    root = parse(markup)
    assert_inert(markup, root)
    assert tooltips(root, "stage-name") == [HOSTILE]  # cut to its column, whole in the tooltip
    (shown,) = texts(root, "stage-name")
    assert shown.endswith("\u2026") and HOSTILE.startswith(shown[:-1])
    assert root.get("aria-label") == HOSTILE


def test_long_stage_names_are_cut_to_their_span() -> None:
    data = [EmotionStep("a", 0, "Waiting for the refund to arrive", stage_key=1),
            EmotionStep("b", 0, "Waiting for the refund to arrive", stage_key=1),
            EmotionStep("c", 0, "Calling support about the missing refund", stage_key=2)]
    root = parse(emotion_curve(data, columns=Columns(width=100, gap=20)))
    assert texts(root, "stage-name") == ["Waiting for the refund to arrive", "Calling suppor\u2026"]
    assert tooltips(root, "stage-name") == [None, "Calling support about the missing refund"]


def test_no_steps_draws_a_picture_that_says_so() -> None:
    root = parse(emotion_curve([]))
    assert_accessible(root)
    assert "chart-no-data" in root.get("class", "")
    assert "No steps yet" in root.get("aria-label", "")
    assert not find(root, "polyline")


def test_a_map_from_the_api_model_keeps_its_journey_order(session: Session) -> None:
    world = build_world(session)
    stage = world["stage"]
    session.add(JourneyStep(stage_id=stage.id, position=2, name="Calls support", channel=Channel.phone,
                            emotion_score=-5))
    session.flush()
    _, out = map_out(session, world["journey"].id)
    data = steps_of_map(out)
    assert [(s.name, s.score, s.stage) for s in data] == [
        ("Opens the PDF", -3, "Notice the problem"), ("Calls support", -5, "Notice the problem")]
    root = parse(emotion_curve(data))
    assert len(find(root, "circle", "point")) == 2
