"""Progress bars: the fill to scale, the numbers written out."""

from __future__ import annotations

from tests.web.charts.svgxml import HOSTILE, assert_accessible, assert_inert, f, find, parse, texts
from tracker.web.charts.progress import percent, progress_bar


def test_fill_is_to_scale_and_the_text_says_it() -> None:
    root = parse(progress_bar(12, 20, label="Training", unit="people trained", width=401))
    assert_accessible(root)
    (track,), (fill,) = find(root, "rect", "track"), find(root, "rect", "fill")
    assert f(fill, "width") == 0.6 * f(track, "width") == 240
    assert texts(root) == ["Training: 12 of 20 people trained (60%)"]
    assert root.get("aria-label") == "Training: 12 of 20 people trained (60%)"


def test_percent_rounds_down_and_caps() -> None:
    assert (percent(199, 200), percent(200, 200), percent(30, 20), percent(1, 0)) == (99, 100, 100, 0)


def test_more_than_planned_fills_the_bar_and_keeps_the_real_numbers() -> None:
    root = parse(progress_bar(30, 20, label="Training"))
    assert f(find(root, "rect", "fill")[0], "width") == f(find(root, "rect", "track")[0], "width")
    assert texts(root) == ["Training: 30 of 20 (100%)"]


def test_nothing_done_draws_no_fill_and_nothing_to_do_says_so() -> None:
    assert not find(parse(progress_bar(0, 5, label="Told")), "rect", "fill")
    root = parse(progress_bar(0, 0, label="Customers told", empty="no customers to tell"))
    assert_accessible(root)
    assert texts(root) == ["Customers told: no customers to tell"]


def test_hostile_label_stays_text() -> None:
    markup = progress_bar(1, 2, label=HOSTILE)
    assert_inert(markup, parse(markup))


def test_a_long_label_gives_way_to_the_numbers() -> None:
    root = parse(progress_bar(3, 4, label="People trained to explain the new invoice layout", width=200))
    (shown,) = texts(root)
    assert shown.startswith("3 of 4 (75%) People trained") and shown.endswith("\u2026")
    assert root.get("aria-label") == "People trained to explain the new invoice layout: 3 of 4 (75%)"
