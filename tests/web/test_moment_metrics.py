"""The moment page's "Did the fix work?": verdicts in words, the metric's chart with the shaded
windows and the ship dates, the figures behind it, the lead's flag, and hostile text escaped.

Series follow tests/metrics/test_verdicts.py: 8 weeks before the first fix (Wednesday 4 March
2026), the three weeks around the fixes, 8 weeks after the last (Wednesday 18 March).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests import factories
from tests.factories import moments as moment_factories
from tests.hostile import HOSTILE
from tests.metrics.factories import metric, shipped_moment, weekly
from tests.web.charts.svgxml import assert_accessible, find, parse
from tests.web.conftest import Browser
from tracker.metrics.models import Direction
from tracker.people.models import Role

FIRST_FIX, LAST_FIX = date(2026, 3, 4), date(2026, 3, 18)
BEFORE_FROM, TODAY = date(2026, 1, 5), date(2026, 6, 1)
BEFORE = [38, 41, 36, 40, 39, 42, 37, 40]


@pytest.fixture(autouse=True)
def pinned_today(client: TestClient) -> Any:
    client.app.state.today = lambda: TODAY  # type: ignore[attr-defined]
    yield
    client.app.state.today = None  # type: ignore[attr-defined]


def _moment(session: Session, after: list[float], *, name: str = "Invoice contacts",
            direction: Direction = Direction.lower_is_better, title: str | None = None) -> Any:
    m = metric(session, name=name, direction=direction)
    weekly(session, m, BEFORE_FROM, [*BEFORE, 90, 90, 90, *after])
    moment = shipped_moment(session, m, FIRST_FIX, LAST_FIX)
    if title is not None:
        moment.title = title
    session.commit()
    return moment


def _chart(html: str) -> Any:
    start = html.index('<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart metric-history')
    return parse(html[start:html.index("</svg>", start) + len("</svg>")])


def test_improved_metric_in_words_with_its_chart(session: Session, browser: Browser) -> None:
    moment = _moment(session, [15, 12, 14, 13, 16, 11, 14, 12])
    browser.sign_in_as(factories.person(session, Role.viewer))
    page = browser.get(f"/app/moments/{moment.id}")
    assert page.status_code == 200
    text = page.text
    assert 'id="fix-check-title">Did the fix work?' in text
    assert "badge--verdict-improved" in text and ">Improved<" in text
    assert "median 39.5 → 13.5 tickets (−26 tickets, −65.8%)" in text
    assert "Mann-Whitney U test, two-sided, p = " in text
    assert "First fix shipped" in text and "04 Mar 2026" in text and "18 Mar 2026" in text

    svg = _chart(text)
    assert_accessible(svg)
    assert svg.get("role") == "img" and svg.get("aria-label") == "Invoice contacts over time"
    (before,) = find(svg, "rect", "window-before")
    (after,) = find(svg, "rect", "window-after")
    assert (before.get("data-start"), before.get("data-end")) == ("2026-01-05", "2026-03-01")
    assert (after.get("data-start"), after.get("data-end")) == ("2026-03-23", "2026-05-17")
    assert float(before.attrib["x"]) + float(before.attrib["width"]) < float(after.attrib["x"])
    (first,) = find(svg, "line", "ship-first")
    (last,) = find(svg, "line", "ship-last")
    # The ship lines sit between the windows, first before last.
    assert float(before.attrib["x"]) + float(before.attrib["width"]) < float(first.attrib["x1"]) \
        < float(last.attrib["x1"]) < float(after.attrib["x"])
    labels = [t.text for t in find(svg, "text", "ship-label")]
    assert labels == ["First fix 4 Mar", "Last fix 18 Mar"]
    points = find(svg, "circle", "point")
    assert len(points) == 19 and points[0].get("data-period") == "2026-W02"
    # Lower after the fix: the after window's median line sits lower on screen (larger y).
    (mb,) = find(svg, "line", "median-before")
    (ma,) = find(svg, "line", "median-after")
    assert float(ma.attrib["y1"]) > float(mb.attrib["y1"])
    # The figures behind it: every value with its window.
    assert "The figures behind the chart" in text
    assert "<th scope=\"row\">2026-W02</th>" in text and "<td>Before</td>" in text and "<td>After</td>" in text


def test_not_enough_data_and_no_metric(session: Session, browser: Browser) -> None:
    thin = _moment(session, [15, 12])
    bare = moment_factories.moment(session)
    session.commit()
    browser.sign_in_as(factories.person(session, Role.viewer))
    text = browser.get(f"/app/moments/{thin.id}").text
    assert ">Not enough data yet<" in text
    assert "needs 4 measured periods on each side; before has 8, after has 2" in text
    assert "names no success metric yet" in browser.get(f"/app/moments/{bare.id}").text


def test_leads_see_the_flag_when_the_loop_closed_but_the_metric_got_worse(session: Session,
                                                                         browser: Browser) -> None:
    moment = _moment(session, [55, 60, 58, 62, 57, 61, 59, 63], name="Refund contacts")
    lead, viewer = factories.person(session, Role.lead), factories.person(session, Role.viewer)
    browser.sign_in_as(lead)
    text = browser.get(f"/app/moments/{moment.id}").text
    assert "The loop is closed, but a metric got worse." in text
    assert "<strong>Refund contacts</strong>" in text and ">Worse<" in text
    browser.sign_in_as(viewer)
    text = browser.get(f"/app/moments/{moment.id}").text
    assert "The loop is closed, but a metric got worse." not in text
    assert ">Worse<" in text  # everyone still reads the verdict


def test_hostile_metric_names_and_units_stay_text(session: Session, browser: Browser) -> None:
    lead = factories.person(session, Role.lead)
    for n, hostile in enumerate(HOSTILE):
        moment = _moment(session, [55, 60, 58, 62, 57, 61, 59, 63], name=f"{hostile} {n}"[:200],
                         title=f"{hostile} moment")
        browser.sign_in_as(lead)
        page = browser.get(f"/app/moments/{moment.id}")
        assert page.status_code == 200
        assert "<script>alert" not in page.text and "<img src=x" not in page.text
        assert "<svg/onload" not in page.text
        _chart(page.text)  # still well-formed XML


def test_the_journey_map_lists_its_metrics_with_latest_value_and_verdicts(session: Session,
                                                                         browser: Browser) -> None:
    improved = _moment(session, [15, 12, 14, 13, 16, 11, 14, 12], title="Wrong invoice")
    worse = _moment(session, [55, 60, 58, 62, 57, 61, 59, 63], title="Refund delay")
    first_map = improved.journey_map_id
    browser.sign_in_as(factories.person(session, Role.viewer))
    text = browser.get(f"/app/journey-maps/{first_map}").text
    assert 'id="map-metrics-title">Success metrics: did the fixes work?' in text
    assert "latest 12 tickets" in text and "(2026-W20)" in text
    assert f'href="/app/moments/{improved.id}#fix-check">Wrong invoice</a>' in text
    assert ">Improved<" in text and "median 39.5 → 13.5 tickets" in text
    other = browser.get(f"/app/journey-maps/{worse.journey_map_id}").text
    assert ">Worse<" in other and "Loop closed, got worse" in other
