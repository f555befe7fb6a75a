"""The action item page's forms in a real browser: an update posted and a checklist entry
marked (htmx swaps, CSRF header), the lead's controls, accessibility and screenshots."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from tests.web.browser.conftest import Server, axe_violations, screenshots, sign_in
from tracker.actions.models import ChecklistEntry, NotificationStatus, ProgressUpdate
from tracker.db import make_engine, make_session_factory, transaction

NewContext = Callable[[], BrowserContext]


def _item_with_pending_customers(server: Server) -> tuple[int, int]:
    engine = make_engine(server.database_url)
    with transaction(make_session_factory(engine)) as session:
        entry = session.scalars(select(ChecklistEntry).where(
            ChecklistEntry.status == NotificationStatus.pending,
            ChecklistEntry.action_item_id.not_in(list(server.items.values())))
            .order_by(ChecklistEntry.id)).first()
        assert entry is not None, "the demo should have a customer still to tell"
        found = entry.action_item_id, entry.id
    engine.dispose()
    return found


def _open(new_context: NewContext, server: Server, item_id: int, role: str) -> Page:
    page = new_context().new_page()
    page.goto(f"/app/action-items/{item_id}")
    sign_in(page, server.emails[role])
    expect(page.locator("#phase-title")).to_have_text("Phase")
    return page


def test_an_update_is_posted_and_a_customer_marked_told(new_context: NewContext, server: Server) -> None:
    item_id, entry_id = _item_with_pending_customers(server)
    page = _open(new_context, server, item_id, "lead")
    assert axe_violations(page) == []
    # Screenshots come after the swaps: a swap after a full-page screenshot made Chromium report
    # inline-style CSP violations that a person's browser never shows.
    page.evaluate("window.stillTheSamePage = true")

    page.fill("#f-note", "Called the vendor; fix ships <b>Friday</b>")
    with page.expect_request(f"**/app/action-items/{item_id}/updates") as posted:
        page.click("button:has-text('Post update')")
    assert posted.value.headers.get("x-csrf-token") and posted.value.headers.get("hx-request") == "true"
    expect(page.get_by_role("status").filter(has_text="Update posted.")).to_be_visible()
    expect(page.locator("#updates .timeline li").first).to_contain_text("fix ships <b>Friday</b>")  # as text

    row = page.locator(f"#entry-{entry_id}")
    expect(row).to_contain_text("Pending")
    row.locator("button:has-text('Notified')").focus()
    page.keyboard.press("Enter")  # by keyboard, like every action on the page
    expect(page.locator(f"#entry-{entry_id}")).to_contain_text("Notified")
    expect(page.locator("#activity")).to_contain_text("checklist entry updated")
    assert page.evaluate("window.stillTheSamePage === true")  # swapped in place

    engine = make_engine(server.database_url)
    with transaction(make_session_factory(engine)) as session:
        entry = session.get(ChecklistEntry, entry_id)
        assert entry is not None and entry.status is NotificationStatus.notified
        notes = list(session.scalars(select(ProgressUpdate.note).where(ProgressUpdate.action_item_id == item_id)))
        assert "Called the vendor; fix ships <b>Friday</b>" in notes
    engine.dispose()
    screenshots(page, "item-after-update")
    page.reload()
    screenshots(page, "item-lead")


def test_the_work_plan_and_training_forms_pass_axe(new_context: NewContext, server: Server) -> None:
    item_id, _ = _item_with_pending_customers(server)
    page = _open(new_context, server, item_id, "lead")
    for summary in page.locator("details.edit > summary").all():
        summary.click()
    assert axe_violations(page) == []
    page.fill("#f-text", "")
    page.click("button:has-text('work plan')")
    # The browser's own required check stops an empty plan before it is sent.
    assert page.evaluate("document.querySelector('#f-text').validity.valueMissing")
    screenshots(page, "item-forms-open")


def test_the_viewer_sees_the_item_without_forms(new_context: NewContext, server: Server) -> None:
    item_id, _ = _item_with_pending_customers(server)
    page = _open(new_context, server, item_id, "viewer")
    expect(page.locator("#checklist table")).to_be_visible()
    expect(page.locator("#item form")).to_have_count(0)
    assert axe_violations(page) == []
    screenshots(page, "item-viewer")
