"""The Pareto chart: bars in descending order, a running share that ends at 100%."""

from __future__ import annotations

from tests.web.charts.svgxml import HOSTILE, assert_accessible, assert_inert, f, find, parse, points, texts
from tracker.web.charts.pareto import Frame, ParetoBar, pareto_chart, pareto_rows

FRAME = Frame()
BARS = [ParetoBar("tool", 2), ParetoBar("department", 7), ParetoBar("policy", 0), ParetoBar("process", 3)]


def test_rows_are_sorted_and_the_running_share_ends_at_exactly_100() -> None:
    rows = pareto_rows(BARS)
    assert [r.label for r in rows] == ["department", "process", "tool", "policy"]
    assert [round(r.cumulative, 2) for r in rows] == [58.33, 83.33, 100.0, 100.0]
    assert rows[-1].cumulative == 100.0
    # Thirds would not add up to 100 if the rounded shares were summed.
    thirds = pareto_rows([ParetoBar(c, 1) for c in "abc"])
    assert thirds[-1].cumulative == 100.0 and round(sum(r.share for r in thirds), 9) == 100.0


def test_bars_descend_left_to_right_and_the_line_ends_at_the_top() -> None:
    root = parse(pareto_chart(BARS))
    assert_accessible(root)
    bars = find(root, "rect", "bar")
    heights = [f(b, "height") for b in bars]
    assert heights == sorted(heights, reverse=True) and heights[0] > heights[1]
    assert [f(b, "x") for b in bars] == sorted(f(b, "x") for b in bars)
    assert texts(root, "category") == ["department", "process", "tool", "policy"]
    # Bar heights are to scale: 7 of an axis topping at 8.
    assert heights[0] == round(7 / 8 * FRAME.plot_h, 2)
    (line,) = find(root, "polyline", "cumulative")
    ys = [y for _, y in points(line)]
    assert ys == sorted(ys, reverse=True)  # rising (y grows downwards)
    assert ys[-1] == FRAME.top  # 100%
    assert find(root, "circle", "cumulative-point")[-1].get("data-percent") == "100"


def test_hostile_labels_stay_text() -> None:
    markup = pareto_chart([ParetoBar(HOSTILE, 3)])
    root = parse(markup)
    assert_inert(markup, root)
    assert texts(root, "category") == [HOSTILE]


def test_nothing_to_count_draws_a_picture_that_says_so() -> None:
    for bars in ([], [ParetoBar("tool", 0)]):
        root = parse(pareto_chart(bars))
        assert_accessible(root)
        assert "chart-no-data" in root.get("class", "")
        assert not find(root, "rect", "bar")
