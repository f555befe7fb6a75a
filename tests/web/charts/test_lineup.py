"""A customer and an employee map lined up stage by stage."""

from __future__ import annotations

from tests.web.charts.svgxml import HOSTILE, assert_accessible, assert_inert, f, find, parse, points, texts
from tracker.web.charts.emotion import Columns, EmotionStep
from tracker.web.charts.lineup import line_up, lineup_curves

COLS = Columns(width=100, gap=20, left=0)


def steps(spec: str, prefix: str) -> list[EmotionStep]:
    """'aab' -> three steps, two in stage a and one in stage b."""
    return [EmotionStep(f"{prefix}{i}", -i, f"{prefix} stage {s}", stage_key=s) for i, s in enumerate(spec)]


def test_stages_pair_up_and_take_the_wider_of_the_two() -> None:
    lined = line_up(steps("aab", "C"), steps("abbbc", "E"))
    assert (lined.starts, lined.widths, lined.columns) == ([0, 2, 5], [2, 3, 1], 6)
    assert [s.column for s in lined.customer] == [0, 1, 2]
    assert [s.column for s in lined.employee] == [0, 2, 3, 4, 5]


def test_both_curves_share_the_stage_boundaries_and_columns() -> None:
    root = parse(lineup_curves(line_up(steps("aab", "C"), steps("abbbc", "E")), columns=COLS))
    assert_accessible(root)
    assert [f(b, "x1") for b in find(root, "line", "stage-boundary")] == [COLS.boundary(2), COLS.boundary(5)]
    (customer,) = find(root, "polyline", "customer")
    (employee,) = find(root, "polyline", "employee")
    assert [x for x, _ in points(customer)] == [COLS.centre(c) for c in (0, 1, 2)]
    assert [x for x, _ in points(employee)] == [COLS.centre(c) for c in (0, 2, 3, 4, 5)]
    assert employee.get("stroke-dasharray") and not customer.get("stroke-dasharray")
    assert texts(root, "legend") == ["Customer", "Employee"]
    assert texts(root, "customer") == ["C stage a", "C stage b"]
    assert texts(root, "employee") == ["E stage a", "E stage b", "E stage c"]


def test_one_empty_map_still_draws_the_other_and_two_say_so() -> None:
    root = parse(lineup_curves(line_up(steps("ab", "C"), [])))
    assert len(find(root, "polyline")) == 1
    empty = parse(lineup_curves(line_up([], [])))
    assert_accessible(empty)
    assert "Neither map has steps yet" in empty.get("aria-label", "")


def test_hostile_names_stay_text() -> None:
    hostile = [EmotionStep(HOSTILE, -1, HOSTILE, stage_key=1)]
    markup = lineup_curves(line_up(hostile, hostile), customer_label=HOSTILE)
    assert_inert(markup, parse(markup))
