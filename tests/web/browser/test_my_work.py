"""My work in a real browser: the owner's rows acted on by keyboard (htmx swaps each row in
place and keeps the focus in it), the snooze limit refused where it is pressed, the same forms
without JavaScript, axe-core, and screenshots at desktop and phone width."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from tests.web.browser.conftest import SCREENSHOTS, Server, Watch, axe_violations, screenshots, sign_in
from tracker.actions import service
from tracker.actions.models import ActionItem, Phase, ProgressUpdate
from tracker.db import make_engine, make_session_factory, transaction
from tracker.people.service import find_by_email

NewContext = Callable[[], BrowserContext]


def new_item(server: Server, title: str, days: int) -> int:
    """An item of the demo owner's, made for this test alone (other tests move the demo's)."""
    engine = make_engine(server.database_url)
    with transaction(make_session_factory(engine)) as session:
        owner = find_by_email(session, server.emails["owner"])
        assert owner is not None
        team_id = session.scalar(select(ActionItem.team_id).where(ActionItem.owner_id == owner.id).limit(1))
        item = service.create_action_item(session, actor=None, data={
            "title": title, "owner_id": owner.id, "team_id": team_id,
            "deadline": date.today() + timedelta(days=days)})
        item_id = item.id
    engine.dispose()
    return item_id


def read_item(server: Server, item_id: int) -> tuple[Phase, list[str]]:
    engine = make_engine(server.database_url)
    with transaction(make_session_factory(engine)) as session:
        item = session.get(ActionItem, item_id)
        assert item is not None
        notes = list(session.scalars(select(ProgressUpdate.note).where(ProgressUpdate.action_item_id == item_id)))
        found = item.phase, notes
    engine.dispose()
    return found


def focused(page: Page) -> str:
    return str(page.evaluate("document.activeElement && (document.activeElement.id || document.activeElement.tagName)"))


def tab_to(page: Page, target: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page) == target:
            return
    raise AssertionError(f"{target!r} is not reachable with Tab (stuck at {focused(page)!r})")


def my_work(new_context: NewContext, server: Server, role: str = "owner") -> Page:
    page = new_context().new_page()
    page.goto("/")
    sign_in(page, server.emails[role])
    return page


def test_an_owner_works_the_rows_by_keyboard(new_context: NewContext, server: Server) -> None:
    item_id = new_item(server, "Explain the plan codes on the invoice PDF", -40)
    row = f"#work-{item_id}"
    page = my_work(new_context, server)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My work").click()
    expect(page.locator("h1")).to_have_text("My work")
    deadlines = page.locator(".work__facts time").evaluate_all("ts => ts.map(t => t.getAttribute('datetime'))")
    assert deadlines == sorted(deadlines) and len(deadlines) > 1  # by deadline: overdue first
    expect(page.locator(row)).to_contain_text("Overdue")
    expect(page.locator(row)).to_contain_text("No work plan yet")
    assert axe_violations(page) == []
    page.locator(f"#work-{item_id}-title a").focus()  # other tests add rows above; start at this one
    # Screenshots come after the swaps: a swap after a full-page screenshot makes Chromium report
    # inline-style CSP violations that a person's browser never shows.
    page.evaluate("window.stillTheSamePage = true")

    tab_to(page, f"work-{item_id}-next")
    with page.expect_request(f"**/app/my-work/items/{item_id}/next-phase") as posted:
        page.keyboard.press("Enter")
    assert posted.value.headers.get("hx-request") == "true" and posted.value.headers.get("x-csrf-token")
    expect(page.locator(row)).to_contain_text("Marked implementing.")
    expect(page.locator(f"#work-{item_id}-next")).to_contain_text("Mark closing the loop")
    expect(page.locator(f"#work-{item_id}-next")).to_be_focused()  # the keyboard stays on the row's next step

    tab_to(page, f"work-{item_id}-update")
    page.keyboard.press("Enter")  # opens the section; its form loads then
    expect(page.locator(f"#work-{item_id}-note")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.locator(f"#work-{item_id}-note")).to_be_focused()
    page.keyboard.type("QA found two legacy plans <unmapped>")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(row).get_by_role("status")).to_contain_text("Update posted.")
    expect(page.locator(f"#work-{item_id}-outcome")).to_be_focused()  # the form closed: focus goes to what happened

    tab_to(page, f"work-{item_id}-snooze")
    page.keyboard.press("Enter")
    expect(page.locator(row)).to_contain_text("Reminders snoozed until")
    expect(page.locator(row)).to_contain_text("1 of 2 snoozes used")
    assert page.evaluate("window.stillTheSamePage === true")  # every action swapped the row in place
    assert read_item(server, item_id) == (Phase.implementing, ["QA found two legacy plans <unmapped>"])
    screenshots(page, "my-work-acted")
    page.reload()
    screenshots(page, "my-work")


def test_the_snooze_limit_is_refused_clearly_where_it_is_pressed(new_context: NewContext, server: Server) -> None:
    item_id = new_item(server, "Snooze twice, then once more", -39)
    row = f"#work-{item_id}"
    first, second = my_work(new_context, server), my_work(new_context, server)
    for page in (first, second):
        page.goto("/app/my-work")
    first.locator(f"#work-{item_id}-snooze").click()
    expect(first.locator(row)).to_contain_text("1 of 2 snoozes used")
    first.locator(f"#work-{item_id}-snooze").focus()
    first.keyboard.press("Enter")
    expect(first.locator(row)).to_contain_text("Snoozed 2 times, the team's limit")
    expect(first.locator(f"#work-{item_id}-snooze")).to_have_count(0)
    expect(first.locator(f"#work-{item_id}-outcome")).to_be_focused()  # the button is gone: focus on what happened
    # The other tab still shows the button; the server refuses, and the row says why.
    second.locator(f"#work-{item_id}-snooze").click()
    alert = second.locator(row).get_by_role("alert")
    expect(alert).to_contain_text("the team's limit (max_snoozes=2)")
    expect(alert).to_contain_text("the next reminder goes to the team's lead")
    assert axe_violations(second) == []
    screenshots(second, "my-work-snooze-refused")


def test_phone_width_is_usable(new_context: NewContext, server: Server) -> None:
    item_id = new_item(server, "A long title that has to wrap on a phone screen without pushing the page wider", -38)
    page = my_work(new_context, server)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/app/my-work")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing scrolls sideways
    button = page.locator(f"#work-{item_id}-next")
    box = button.bounding_box()
    assert box is not None and box["width"] >= 300 and box["height"] >= 40  # a thumb-sized target
    button.click()
    expect(page.locator(f"#work-{item_id}")).to_contain_text("Marked implementing.")
    assert axe_violations(page) == []
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "my-work-phone-after-a-tap.png"), full_page=True)


@pytest.fixture
def no_script(chromium: Browser, server: Server) -> Iterator[Page]:
    context = chromium.new_context(base_url=server.url, java_script_enabled=False)
    watch = Watch(server.url)
    context.on("page", watch.attach)
    yield context.new_page()
    context.close()
    assert not watch.foreign


def test_the_forms_work_without_javascript(no_script: Page, server: Server) -> None:
    item_id = new_item(server, "Work without JavaScript", -37)
    no_script.goto("/")
    sign_in(no_script, server.emails["owner"])
    no_script.goto("/app/my-work")
    no_script.locator(f"#work-{item_id}-next").click()  # a plain POST, answered 303 back here
    expect(no_script.locator(f"#work-{item_id}-next")).to_contain_text("Mark closing the loop")
    assert no_script.url.endswith(f"/app/my-work#work-{item_id}")
    # The text forms load when their section opens; without script the section links to the
    # same form on the item's page.
    no_script.locator(f"#work-{item_id}-plan-toggle").click()
    no_script.locator(f"#work-{item_id} .edit__slot a", has_text="Submit the work plan").click()
    assert no_script.url.endswith(f"/app/action-items/{item_id}#plan")
    no_script.locator("#plan summary").click()
    no_script.locator("#plan").get_by_label("Work plan").fill("1. Ship. 2. Tell customers.")
    no_script.locator("#plan").get_by_role("button", name="Submit the work plan").click()
    expect(no_script.locator("#plan")).to_contain_text("1. Ship. 2. Tell customers.")
    no_script.goto("/app/my-work")
    expect(no_script.locator(f"#work-{item_id}")).not_to_contain_text("No work plan yet")
    assert read_item(server, item_id)[0] is Phase.implementing


def test_a_viewer_reads_without_controls(new_context: NewContext, server: Server) -> None:
    page = my_work(new_context, server, "viewer")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="My work")).to_have_count(0)
    page.goto("/app/my-work")
    expect(page.locator("h1")).to_have_text("My work")
    expect(page.locator("main form")).to_have_count(0)
    assert axe_violations(page) == []
    screenshots(page, "my-work-viewer")
