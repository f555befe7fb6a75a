"""Success metrics in a real browser: a lead adds a metric (its hostile name shown as text),
uploads values as CSV (a bad file lists its problems by line and imports nothing), links it to a
moment of truth, edits it, and sees a given-up count with its reason and retries it; a viewer
reads without controls; the forms work without JavaScript. axe-core on every new page and state."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from tests.web.browser.conftest import Server, axe_violations, screenshots, sign_in
from tracker.db import make_engine, make_session_factory, transaction
from tracker.metrics.counting import COUNT_KIND, ordering_key
from tracker.metrics.models import Direction, Period, SourceKind, SuccessMetric
from tracker.moments.models import MomentOfTruth
from tracker.outbox.models import OutboxMessage, OutboxState
from tracker.types import utcnow

NewContext = Callable[[], BrowserContext]
HOSTILE_NAME = "<script>alert(1)</script> VAT contacts"


def _map_and_moment(server: Server) -> tuple[int, str]:
    """The demo's verified moment's map, and a moment of that map."""
    engine = make_engine(server.database_url)
    try:
        with transaction(make_session_factory(engine)) as db:
            moment = db.scalars(select(MomentOfTruth).where(
                MomentOfTruth.title == "Understanding a mid-cycle upgrade charge")).one()
            assert moment.journey_map_id is not None
            return moment.journey_map_id, moment.title
    finally:
        engine.dispose()


def _given_up_metric(server: Server, map_id: int) -> int:
    """A Jira-counted metric whose count the worker gave up (as it does when Jira refuses the query)."""
    engine = make_engine(server.database_url)
    try:
        with transaction(make_session_factory(engine)) as db:
            metric = SuccessMetric(journey_map_id=map_id, name="Disputed invoices (Jira)", unit="tickets",
                                   direction=Direction.lower_is_better, period=Period.weekly,
                                   source_kind=SourceKind.jira_count, query="project = DISPUTE",
                                   connection="acme_jira")
            db.add(metric)
            db.flush()
            db.add(OutboxMessage(kind=COUNT_KIND, payload={"metric_id": metric.id},
                                 ordering_key=ordering_key(metric.id), state=OutboxState.dead, attempts=1,
                                 completed_at=utcnow(), last_error=f"metric {metric.id}: Error in the JQL "
                                 "Query: The value 'DISPUTE' does not exist for the field 'project'."))
            return metric.id
    finally:
        engine.dispose()


def _signed_in(new_context: NewContext, server: Server, role: str) -> Page:
    page = new_context().new_page()
    page.goto("/")
    sign_in(page, server.emails[role])
    return page


def test_a_lead_adds_fills_links_and_edits_a_metric(new_context: NewContext, server: Server) -> None:
    map_id, moment_title = _map_and_moment(server)
    page = _signed_in(new_context, server, "lead")
    page.goto(f"/app/journey-maps/{map_id}")
    page.locator("#map-metrics a", has_text="All metrics of this map").click()
    expect(page.locator("h1")).to_contain_text("Success metrics of")
    expect(page.locator(".metrics-table tbody tr").first).to_be_visible()
    assert axe_violations(page) == []

    # A refused form: the error is next to its field and announced.
    page.click("button:has-text('Add the metric')")
    expect(page.locator("#f-name-error")).to_be_visible()
    expect(page.locator("#f-name")).to_have_attribute("aria-invalid", "true")
    assert axe_violations(page) == []
    screenshots(page, "metrics-list-refused")

    page.fill("#f-name", HOSTILE_NAME)
    page.fill("#f-unit", "tickets")
    page.select_option("#f-source_kind", "manual")
    page.click("button:has-text('Add the metric')")
    expect(page.locator("h1")).to_have_text(HOSTILE_NAME)  # shown as text, never run
    expect(page.locator(".banner--success")).to_contain_text("Metric added.")
    assert axe_violations(page) == []

    # A CSV with problems: each line said, nothing imported.
    page.set_input_files("#f-file", files=[{"name": "vat.csv", "mimeType": "text/csv",
                                            "buffer": b"period,value\n2026-W01,38\n2026-W02,lots\n"}])
    page.click("button:has-text('Upload and import')")
    expect(page.locator("#f-file-error")).to_contain_text("1 problem in vat.csv: nothing was imported.")
    expect(page.locator("#f-file-error li")).to_have_text("Line 3 (value): 'lots' is not a number")
    expect(page.locator("#values")).to_contain_text("No values yet.")
    assert axe_violations(page) == []
    screenshots(page, "metric-csv-refused")
    page.set_input_files("#f-file", files=[{"name": "vat.csv", "mimeType": "text/csv",
                                            "buffer": b"period,value\n2026-W01,38\n2026-W02,41\n"}])
    page.click("button:has-text('Upload and import')")
    expect(page.locator(".banner--success")).to_contain_text("Imported 2 values from the CSV.")
    expect(page.locator(".values-table tbody tr")).to_have_count(2)
    page.fill("#v-period", "2026-W02")  # one value typed: it already has one, so first it is shown
    page.fill("#v-value", "40")
    page.click("button:has-text('Save the value')")
    expect(page.locator(".banner--warning")).to_contain_text("2026-W02 already has 41")
    assert axe_violations(page) == []
    page.click("button:has-text('Replace the value')")
    expect(page.locator(".banner--success")).to_have_text("Value for 2026-W02 saved.")
    expect(page.locator(".values-table")).to_contain_text("40")

    page.select_option("#f-moment_id", label=moment_title)
    page.click("button:has-text('Link')")
    expect(page.locator(".linked-moments")).to_contain_text(moment_title)

    page.fill("#f-unit", "tickets per 1,000 invoices")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".banner--success")).to_have_text("Saved.")
    expect(page.locator(".facts")).to_contain_text("tickets per 1,000 invoices")
    assert axe_violations(page) == []
    screenshots(page, "metric-page")

    page.locator(".linked-moments button", has_text="Unlink").click()
    expect(page.locator("#moments")).to_contain_text("No moment of truth names this metric yet")

    page.goto(f"/app/journey-maps/{map_id}")
    expect(page.locator("#map-metrics")).to_contain_text(HOSTILE_NAME)


def test_a_given_up_count_says_why_and_a_lead_retries_it(new_context: NewContext, server: Server) -> None:
    map_id, _ = _map_and_moment(server)
    metric_id = _given_up_metric(server, map_id)
    viewer = _signed_in(new_context, server, "viewer")
    viewer.goto(f"/app/metrics/{metric_id}")
    counting = viewer.locator("#counting")
    expect(counting.locator(".badge")).to_have_text("Counting given up")
    expect(counting).to_contain_text("The value 'DISPUTE' does not exist for the field 'project'.")
    assert viewer.locator("button:has-text('Retry the count')").count() == 0
    assert viewer.locator("#f-name").count() == 0 and viewer.locator("#f-file").count() == 0
    assert axe_violations(viewer) == []
    viewer.goto(f"/app/journey-maps/{map_id}/metrics")
    expect(viewer.locator(".metrics-table")).to_contain_text("Counting given up")
    assert viewer.locator("#new-metric").count() == 0

    lead = _signed_in(new_context, server, "lead")
    lead.goto(f"/app/metrics/{metric_id}")
    assert axe_violations(lead) == []
    screenshots(lead, "metric-count-given-up")
    lead.click("button:has-text('Retry the count')")
    expect(lead.locator(".banner--success")).to_contain_text("The count is back in the queue")
    expect(lead.locator("#counting .badge")).to_have_text("Count waiting")


def test_adding_a_metric_works_without_javascript(chromium: Browser, server: Server) -> None:
    map_id, _ = _map_and_moment(server)
    context = chromium.new_context(base_url=server.url, java_script_enabled=False,
                                   viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto("/")
    sign_in(page, server.emails["lead"])
    page.goto(f"/app/journey-maps/{map_id}/metrics")
    page.fill("#f-name", "Callback requests")
    page.select_option("#f-period", "monthly")
    page.click("button:has-text('Add the metric')")
    expect(page.locator("h1")).to_have_text("Callback requests")
    expect(page.locator(".facts")).to_contain_text("Month")
    context.close()
