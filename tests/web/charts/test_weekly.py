"""The 12-week chart of the programme home."""

from __future__ import annotations

from tests.web.charts.svgxml import HOSTILE, assert_accessible, assert_inert, f, find, parse, points, texts
from tracker.web.charts.weekly import Frame, WeekPoint, weekly_chart

FRAME = Frame()


def weeks() -> list[WeekPoint]:
    return [WeekPoint(f"2026-W{n:02d}", done=n % 3, overdue=8 - n % 5, told=n % 2, period=f"week {n}")
            for n in range(36, 48)]


def test_twelve_weeks_in_order_with_bars_and_line_to_scale() -> None:
    data = weeks()
    root = parse(weekly_chart(data))
    assert_accessible(root)
    groups = find(root, "g", "week-group")
    assert [g.get("data-week") for g in groups] == [w.label for w in data]
    assert texts(root, "week") == [f"W{n}" for n in range(36, 48)]
    done = find(root, "rect", "done")
    assert [int(b.get("data-value", "")) for b in done] == [w.done for w in data]
    # The axis tops at 8 (the largest value): 8 overdue reaches the top of the plot.
    (line,) = find(root, "polyline", "overdue")
    xy = points(line)
    assert len(xy) == 12 and [x for x, _ in xy] == sorted(x for x, _ in xy)
    peak = max(range(12), key=lambda i: data[i].overdue)
    assert data[peak].overdue == 8 and xy[peak][1] == FRAME.top
    assert f(done[2], "height") == round(data[2].done / 8 * FRAME.plot_h, 2)
    # Each week's bars sit left and right of its overdue point.
    told = find(root, "rect", "told")
    assert f(done[0], "x") + f(done[0], "width") == xy[0][0] == f(told[0], "x")


def test_legend_names_all_three_series() -> None:
    assert texts(parse(weekly_chart(weeks())), "legend") == [
        "Items done", "Customers told", "Open and overdue at week's end"]


def test_hostile_week_text_stays_text() -> None:
    markup = weekly_chart([WeekPoint("2026-W47", 1, 1, 1, period=HOSTILE)], title=HOSTILE)
    assert_inert(markup, parse(markup))


def test_no_weeks_or_only_zeros_draw_a_picture_that_says_so() -> None:
    for data in ([], [WeekPoint("2026-W47", 0, 0, 0)]):
        root = parse(weekly_chart(data))
        assert_accessible(root)
        assert "chart-no-data" in root.get("class", "")
