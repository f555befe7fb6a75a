"""The metric-history chart's geometry: points on a time axis, windows, medians, ship dates."""

from __future__ import annotations

from datetime import date, timedelta

from tests.web.charts.svgxml import HOSTILE, assert_accessible, f, find, parse, points, texts
from tracker.web.charts.metric_history import Band, MetricPoint, metric_history_chart, value_axis

MONDAY = date(2026, 1, 5)


def _weeks(values: list[float]) -> list[MetricPoint]:
    return [MetricPoint(start=MONDAY + timedelta(weeks=i), end=MONDAY + timedelta(weeks=i, days=6),
                        label=f"2026-W{i + 2:02d}", value=v) for i, v in enumerate(values)]


def test_points_windows_medians_and_ship_dates() -> None:
    series = _weeks([40, 42, 38, 41, 20, 22, 19, 21])
    root = parse(metric_history_chart(
        series, name="Invoice contacts", unit="tickets",
        before=Band(MONDAY, MONDAY + timedelta(days=27), 40.5),
        after=Band(MONDAY + timedelta(weeks=5), MONDAY + timedelta(weeks=8, days=-1), 20.5),
        first_shipped=date(2026, 2, 4), last_shipped=date(2026, 2, 4)))
    assert_accessible(root)
    (line,) = find(root, "polyline", "series")
    xy = points(line)
    assert len(xy) == 8 and xy == sorted(xy, key=lambda p: p[0])  # oldest on the left
    assert xy[4][1] > xy[3][1]  # the drop goes down the screen
    assert [c.get("data-value") for c in find(root, "circle", "point")][:2] == ["40", "42"]
    (before,) = find(root, "rect", "window-before")
    (after,) = find(root, "rect", "window-after")
    assert f(before, "x") + f(before, "width") <= f(after, "x")
    # One ship date: one line labelled as both, between the windows.
    (ship,) = find(root, "line", "ship")
    assert f(before, "x") + f(before, "width") <= f(ship, "x1") <= f(after, "x")
    assert texts(root, "ship-label") == ["Fix shipped 4 Feb"]
    (mb,) = find(root, "line", "median-before")
    (ma,) = find(root, "line", "median-after")
    assert f(ma, "y1") > f(mb, "y1")
    desc = root.find("{http://www.w3.org/2000/svg}desc")
    assert desc is not None and "median 40.5 tickets" in (desc.text or "")


def test_no_values_and_hostile_names() -> None:
    empty = parse(metric_history_chart([], name=HOSTILE, unit=HOSTILE))
    assert "No values recorded yet" in (empty.get("aria-label") or "")
    root = parse(metric_history_chart(_weeks([1, 2, 3]), name=HOSTILE, unit=HOSTILE))
    assert root.get("aria-label") == f"{HOSTILE} over time"
    assert not find(root, "script")


def test_value_axis_starts_counts_at_zero_and_tightens_scores() -> None:
    assert value_axis([38, 41, 12]) == (0.0, 60.0, 20.0)
    assert value_axis([38, 41, 22]) == (20.0, 45.0, 5.0)  # far from zero: the wobble shows
    bottom, top, step = value_axis([3.7, 4.1])
    assert 3.5 <= bottom <= 3.7 and 4.1 <= top <= 4.2 and step == 0.1
    assert value_axis([5, 5]) == (4.0, 6.0, 2.0)  # a flat series sits mid-axis
