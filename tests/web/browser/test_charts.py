"""Every picture in a real browser: axe-core finds nothing serious, hostile text stays inert,
and the geometry the tests assert is what Chromium lays out.

Chromium is Debian's, launched by path (never `playwright install`); axe-core is the copy
vendored for the browser tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from markupsafe import Markup
from playwright.sync_api import Browser, Page

from tracker.web.charts import (
    Columns,
    EmotionStep,
    MatrixPoint,
    ParetoBar,
    WeekPoint,
    emotion_curve,
    line_up,
    lineup_curves,
    pareto_chart,
    priority_matrix,
    progress_bar,
    weekly_chart,
)

AXE = Path(__file__).resolve().parent.parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
# Would set a flag if any of it ran as markup.
HOSTILE = ('<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>'
           '" onload="window.pwned=3')
COLS = Columns(width=150, gap=10)


def pictures() -> list[Markup]:
    steps = [EmotionStep("Opens the PDF", -3, "Notice", 1, 1), EmotionStep(HOSTILE, -5, "Notice", 1, 2),
             EmotionStep("Calls support", -1, HOSTILE, 2, 3), EmotionStep("Fixed", 4, "Resolve", 3, 4)]
    staff = [EmotionStep("Reads ticket", 1, "Triage", 1), EmotionStep("Escalates", -2, "Fix", 2)]
    return [
        emotion_curve(steps, columns=COLS, title=HOSTILE),
        emotion_curve([]),
        lineup_curves(line_up(steps, staff), columns=COLS),
        priority_matrix([MatrixPoint(1, HOSTILE, 1, 4.2, 2, 60.0, 5),
                         MatrixPoint(2, "Refund delay", 2, 2.1, 4, 20.0, 2)]),
        priority_matrix([]),
        pareto_chart([ParetoBar("process", 5), ParetoBar(HOSTILE, 2), ParetoBar("tool", 1)]),
        pareto_chart([]),
        weekly_chart([WeekPoint(f"2026-W{n}", n % 4, 9 - n % 5, n % 3, HOSTILE) for n in range(37, 49)]),
        weekly_chart([]),
        progress_bar(12, 20, label=HOSTILE, unit="people trained"),
        progress_bar(0, 0, label="Customers told"),
    ]


@pytest.fixture(scope="module")
def page(chromium: Browser) -> Iterator[Page]:
    # The session's one Playwright and Chromium (tests/web/browser/conftest.py): a second
    # sync_playwright() cannot start while that one runs.
    body = "".join(f"<figure>{svg}</figure>" for svg in pictures())
    html = f'<!doctype html><html lang="en"><head><title>Charts</title></head><body><main>{body}</main></body></html>'
    context = chromium.new_context()
    tab = context.new_page()
    tab.set_content(html)
    yield tab
    context.close()


def test_axe_finds_nothing_serious(page: Page) -> None:
    page.evaluate(AXE.read_text(encoding="utf-8") + ";0")
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    assert [(v["id"], v["impact"]) for v in violations if v["impact"] in ("serious", "critical")] == []


def test_hostile_text_is_shown_not_run(page: Page) -> None:
    assert page.evaluate("window.pwned") is None
    assert page.locator("svg script, svg img").count() == 0
    assert page.get_by_text("window.pwned=2", exact=False).count() >= 1  # shown as text


def test_chromium_lays_the_curve_out_where_the_tests_compute_it(page: Page) -> None:
    xs = page.evaluate("""() => [...document.querySelector('svg.emotion-curve polyline').points]
                                 .map(p => p.x)""")
    assert xs == [COLS.centre(i) for i in range(4)]
    box = page.evaluate("() => document.querySelector('svg.emotion-curve').getBoundingClientRect().width")
    assert box == COLS.total(4)
