"""The impact x effort matrix: quadrants, ranks, sizes, escaping, no data."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tests.web.charts.svgxml import HOSTILE, assert_accessible, assert_inert, f, find, parse, texts
from tracker.web.charts.matrix import Frame, MatrixPoint, priority_matrix, quadrant, radius

FRAME = Frame()


def point(mid: int, rank: int, value: float, effort: int, *, reach: int = 3, score: float = 50.0,
          title: str | None = None) -> MatrixPoint:
    return MatrixPoint(moment_id=mid, title=title or f"Moment {mid}", rank=rank, value=value, effort=effort,
                       score=score, reach=reach)


def circles(root: ET.Element) -> dict[str, tuple[float, float, float]]:
    return {c.attrib["data-moment-id"]: (f(c, "cx"), f(c, "cy"), f(c, "r")) for c in find(root, "circle", "moment")}


def test_quick_win_is_top_left_and_money_pit_bottom_right() -> None:
    quick, pit = point(1, 1, 4.6, 1), point(2, 2, 1.4, 5)
    root = parse(priority_matrix([pit, quick]))
    assert_accessible(root)
    at = circles(root)
    middle_x, middle_y = FRAME.x(3), FRAME.y(3)
    assert at["1"][0] < middle_x and at["1"][1] < middle_y
    assert at["2"][0] > middle_x and at["2"][1] > middle_y
    assert (quadrant(quick), quadrant(pit)) == ("Quick wins", "Money pits")
    assert texts(root, "quadrant") == ["Quick wins", "Big bets", "Fill-ins", "Money pits"]


def test_impact_scale_runs_bottom_to_top_within_the_plot() -> None:
    assert FRAME.y(5) < FRAME.y(3) < FRAME.y(1)
    assert FRAME.top < FRAME.y(5) and FRAME.y(1) < FRAME.top + FRAME.plot_h
    assert FRAME.x(1) < FRAME.x(5)


def test_circles_carry_their_rank_and_rank_one_is_drawn_last() -> None:
    root = parse(priority_matrix([point(7, 1, 4, 2), point(8, 3, 2, 4), point(9, 2, 3.5, 3)]))
    assert texts(root, "rank") == ["3", "2", "1"]  # document order: rank 1 on top
    assert [c.get("data-rank") for c in find(root, "circle", "moment")] == ["3", "2", "1"]


def test_size_grows_with_reach_or_with_score() -> None:
    small, big = point(1, 1, 3, 3, reach=1, score=90), point(2, 2, 3, 3, reach=5, score=10)
    assert radius(small, "reach") < radius(big, "reach")
    assert radius(small, "score") > radius(big, "score")
    at = circles(parse(priority_matrix([small, big])))
    assert at["1"][2] == 7 and at["2"][2] == 15


def test_moments_in_one_cell_are_set_side_by_side() -> None:
    at = circles(parse(priority_matrix([point(1, 1, 4, 2), point(2, 2, 4, 2)])))
    assert at["1"][1] == at["2"][1]
    assert at["1"][0] < FRAME.x(2) < at["2"][0]


def test_hostile_titles_stay_text() -> None:
    markup = priority_matrix([point(1, 1, 4, 2, title=HOSTILE)])
    root = parse(markup)
    assert_inert(markup, root)
    (circle,) = find(root, "circle", "moment")
    assert circle[0].text is not None and circle[0].text.startswith(f"#1 {HOSTILE}: impact 4.0")


def test_no_moments_draws_a_picture_that_says_so() -> None:
    root = parse(priority_matrix([]))
    assert_accessible(root)
    assert root.get("aria-label", "").endswith("No moments of truth yet")
