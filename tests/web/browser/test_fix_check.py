"""'Did the fix work?' in a real browser: the demo's verified moment shows its verdict and its
chart (shaded windows, ship dates) with no serious axe violation, at desktop and phone width;
the journey map lists the verdicts; the digest page has both new sections."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from tests.web.browser.conftest import SCREENSHOTS, WIDTHS, Server, axe_violations, screenshots, sign_in
from tracker.db import make_engine, make_session_factory, transaction
from tracker.moments.models import MomentOfTruth

NewContext = Callable[[], BrowserContext]


def _moment_id(server: Server, title: str) -> tuple[int, int]:
    engine = make_engine(server.database_url)
    try:
        with transaction(make_session_factory(engine)) as db:
            moment = db.scalars(select(MomentOfTruth).where(MomentOfTruth.title == title)).one()
            assert moment.journey_map_id is not None
            return moment.id, moment.journey_map_id
    finally:
        engine.dispose()


def _lead(new_context: NewContext, server: Server) -> Page:
    page = new_context().new_page()
    page.goto("/")
    sign_in(page, server.emails["lead"])
    expect(page.locator("h1")).to_have_text("Programme home")
    return page


def test_the_verified_moment_reads_well_and_passes_axe(new_context: NewContext, server: Server) -> None:
    moment_id, map_id = _moment_id(server, "Understanding a mid-cycle upgrade charge")
    page = _lead(new_context, server)
    page.goto(f"/app/moments/{moment_id}")
    section = page.locator("#fix-check")
    expect(section.locator("h2")).to_have_text("Did the fix work?")
    expect(section.locator(".badge--verdict-improved")).to_have_text("Improved")
    expect(section.locator(".fix-change")).to_contain_text("median 39.5 → 24 contacts per 1,000 invoices")
    chart = section.locator("svg.metric-history")
    expect(chart).to_have_attribute("role", "img")
    expect(chart.locator("rect.window-before")).to_have_count(1)
    expect(chart.locator("rect.window-after")).to_have_count(1)
    expect(chart.locator("text.ship-label")).to_have_count(2)
    assert chart.locator("circle.point").count() >= 20
    section.locator("summary").click()
    expect(section.locator("table tbody tr").first).to_be_visible()
    assert axe_violations(page) == []
    screenshots(page, "moment-fix-verified")
    # The section alone at each width, to judge the chart's legibility without the whole page.
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        section.locator("article").first.screenshot(path=str(SCREENSHOTS / f"moment-fix-chart-{label}.png"))
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"/app/journey-maps/{map_id}")
    metrics = page.locator("#map-metrics")
    expect(metrics.locator(".badge--verdict-improved")).to_have_count(1)
    expect(metrics.locator(".badge--verdict-no_clear_change")).to_have_count(1)
    assert axe_violations(page) == []

    page.goto("/app/digests?scope=programme")
    expect(page.locator("h2", has_text="Fixes verified this week")).to_have_count(1)
    verified = page.locator("section.digest-section", has=page.locator("h2", has_text="Fixes verified this week"))
    expect(verified).to_contain_text("Understanding a mid-cycle upgrade charge")
    not_moved = page.locator("section.digest-section",
                             has=page.locator("h2", has_text="Fixes that did not move their metric"))
    expect(not_moved).to_contain_text("Waiting on hold for a billing callback")
    assert axe_violations(page) == []
