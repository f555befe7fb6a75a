"""A support agent working the closed-loop queue in a real browser, for a customer owed two fixes:
one message, one keystroke, both fixes marked, the count ticking down without a reload; a bulk
mark; a colleague's mark named, not overwritten; the same without JavaScript; accessibility,
keyboard use and screenshots at desktop and phone width.

The session's server is shared with the other browser tests: this one seeds its own team, items
and customers, and filters the queue to that team.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.web.browser.conftest import Server, Watch, axe_violations, screenshots, sign_in
from tracker.actions import checklist
from tracker.actions.models import (
    ActionItem,
    ChecklistEntry,
    ContactChannel,
    NotificationStatus,
    Phase,
    Priority,
    TrainingRecord,
)
from tracker.closed_loop.queue import customer_dom_id
from tracker.db import make_engine, make_session_factory, transaction
from tracker.people.models import Person, Team
from tracker.people.service import find_by_email

NewContext = Callable[[], BrowserContext]
HOSTILE = "<img src=x onerror=\"window.pwned=1\">=cmd|' /C calc'!A0"


@dataclass
class Queue:
    team_id: int
    items: dict[str, int]
    entries: dict[str, int]  # "<customer>/<fix>" -> entry id


@contextmanager
def _db(server: Server) -> Iterator[Session]:
    engine = make_engine(server.database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()


def _seed(server: Server, name: str) -> Queue:
    """A team of its own with two shipped fixes: Noor Khalil is owed news about both, Ines and
    Yusuf about one each, a hostile name about one, and Priya about both (left for the pictures)."""
    with _db(server) as session:
        owner = find_by_email(session, server.emails["owner"])
        assert owner is not None
        team = Team(name=f"Closed-loop {name}", department="support")
        session.add(team)
        session.flush()
        items: dict[str, int] = {}
        for key, title, days in (("seats", "Refund deactivated seats automatically", 2),
                                 ("vat", "Show the VAT ID on credit notes", 5)):
            item = ActionItem(title=title, team_id=team.id, owner_id=owner.id, phase=Phase.closing_loop,
                              deadline=date.today() + timedelta(days=days), priority=Priority.high)
            session.add(item)
            session.flush()
            session.add(TrainingRecord(action_item_id=item.id, needed=False))
            items[key] = item.id
        people = [("Noor Khalil", f"noor.khalil+{name}@example.org", ("seats", "vat")),
                  ("Ines Duarte", f"ines+{name}@example.org", ("seats",)),
                  ("Yusuf Okafor", f"yusuf+{name}@example.org", ("vat",)),
                  (HOSTILE, f"hostile+{name}@example.org", ("vat",)),
                  ("Priya Shah", f"priya.shah+{name}@example.org", ("seats", "vat"))]
        entries: dict[str, int] = {}
        for customer, contact, fixes in people:
            for fix in fixes:
                entry = ChecklistEntry(action_item_id=items[fix], customer_name=customer, contact=contact,
                                       channel=ContactChannel.email)
                session.add(entry)
                session.flush()
                entries[f"{customer.split()[0]}/{fix}"] = entry.id
        return Queue(team_id=team.id, items=items, entries=entries)


def _entry(server: Server, entry_id: int) -> ChecklistEntry:
    with _db(server) as session:
        entry = session.get(ChecklistEntry, entry_id)
        assert entry is not None
        session.expunge(entry)
        return entry


def _group(page: Page, name: str) -> object:
    return page.locator("article.qgroup").filter(has=page.get_by_role("heading", name=name, exact=True))


def _open(page: Page, server: Server, q: Queue, role: str = "owner", query: str = "") -> None:
    page.goto(f"/app/closed-loop?team={q.team_id}{query}")
    sign_in(page, server.emails[role])
    expect(page.locator("h1")).to_have_text("Closed-loop queue")


def test_a_support_agent_works_the_queue_for_a_customer_owed_two_fixes(
        new_context: NewContext, server: Server) -> None:
    q = _seed(server, "agent")
    page = new_context().new_page()
    _open(page, server, q)
    count = page.locator("#queue-count")
    expect(count).to_contain_text("7 notifications to make · 5 customers · 2 fixes")
    assert axe_violations(page) == []
    page.evaluate("window.stillTheSamePage = true")

    noor = page.locator(f"#{customer_dom_id('noor.khalil+agent@example.org')}")
    expect(noor).to_contain_text("Owed news about 2 fixes")
    message = noor.get_by_label("Message to Noor Khalil")
    expect(message).to_have_value(re.compile(
        "fixed: Refund deactivated seats automatically and Show the VAT ID on credit notes"))
    message.fill("Hello Noor, both are fixed: seats are refunded and credit notes carry your VAT ID.")
    # By keyboard: from the message to the first mark button, then Enter.
    message.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()").startswith("Notified")
    with page.expect_request("**/app/closed-loop/marks") as posted:
        page.keyboard.press("Enter")
    assert posted.value.headers.get("x-csrf-token") and posted.value.headers.get("hx-request") == "true"
    status = page.locator("#queue-status")
    expect(status).to_contain_text("Marked notified: Noor Khalil (2 fixes).")
    expect(count).to_contain_text("5 notifications to make · 4 customers · 2 fixes")
    expect(noor).to_contain_text("nobody left to tell here")
    # The keyboard stays where the work was: on the group that was just done.
    expect(noor.locator("h2")).to_be_focused()
    assert page.evaluate("window.stillTheSamePage === true")
    for fix in ("seats", "vat"):
        entry = _entry(server, q.entries[f"Noor/{fix}"])
        assert entry.status is NotificationStatus.notified
        assert entry.message.startswith("Hello Noor, both are fixed")

    # Several at once: tick Ines and Yusuf (Space on a focused checkbox), mark them acknowledged.
    for who in ("Ines Duarte about Refund deactivated seats automatically",
                "Yusuf Okafor about Show the VAT ID on credit notes"):
        box = page.get_by_label(f"Select {who}")
        box.focus()
        page.keyboard.press("Space")
        expect(box).to_be_checked()
    with page.expect_response("**/app/closed-loop/marks") as answer:
        page.locator("#queue-bulk").get_by_role("button", name=re.compile("^Acknowledged")).click()
    assert answer.value.status == 200
    expect(status).to_contain_text("Marked acknowledged: Ines Duarte, Yusuf Okafor.")
    expect(count).to_contain_text("3 notifications to make · 2 customers · 2 fixes")
    assert _entry(server, q.entries["Ines/seats"]).status is NotificationStatus.acknowledged

    # A colleague marks the hostile-named customer while the page is open: the agent's click is
    # refused and the page says who got there first.
    with _db(server) as session:
        lead = find_by_email(session, server.emails["lead"])
        entry_id = q.entries[HOSTILE.split()[0] + "/vat"]
        checklist.update_entry(session, actor=lead, item_id=q.items["vat"], entry_id=entry_id,
                               expected_version=1, data={"status": NotificationStatus.unreachable})
        lead_name = lead.name if lead else ""
    hostile = page.locator(f"#{customer_dom_id('hostile+agent@example.org')}")
    expect(hostile.locator("h2")).to_have_text(HOSTILE)  # shown as text
    with page.expect_response("**/app/closed-loop/marks") as answer:
        hostile.get_by_role("button", name=re.compile("^Notified")).click()
    assert answer.value.status == 409
    expect(status).to_contain_text(f"was changed by {lead_name}")
    expect(status).to_contain_text("it is unreachable now")
    expect(hostile).to_contain_text("A colleague got there first")
    assert _entry(server, entry_id).status is NotificationStatus.unreachable
    assert page.evaluate("window.pwned === undefined")

    # The pictures: the queue as it is now (Priya is owed two), then grouped by fix.
    page.reload()
    expect(count).to_contain_text("2 notifications to make · 1 customer · 2 fixes")
    assert axe_violations(page) == []
    screenshots(page, "closed-loop-queue")
    page.set_viewport_size({"width": 390, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth <= 390"), "the queue scrolls sideways on a phone"
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/app/closed-loop?team={q.team_id}&group=item")
    expect(page.locator("article.qgroup")).to_have_count(2)
    page.locator("details.qentry__message > summary").first.click()
    assert axe_violations(page) == []
    screenshots(page, "closed-loop-by-fix")


def test_the_lead_writes_the_message_and_the_queue_drafts_with_it(new_context: NewContext, server: Server) -> None:
    q = _seed(server, "template")
    page = new_context().new_page()
    page.goto(f"/app/action-items/{q.items['seats']}/customer-message")
    sign_in(page, server.emails["lead"])
    expect(page.locator("h1")).to_contain_text("Refund deactivated seats automatically")
    assert axe_violations(page) == []
    page.fill("#f-text", "Hi {customer_name}, about {fix}: done. <b>Thanks</b>")
    page.click("button:has-text('Save the message')")
    expect(page.get_by_text("Saved. Drafts in the queue use it from now on.")).to_be_visible()
    expect(page.locator(".preview")).to_contain_text("Hi Noor Khalil, about Refund deactivated seats "
                                                     "automatically: done. <b>Thanks</b>")
    screenshots(page, "closed-loop-message")
    page.goto(f"/app/closed-loop?team={q.team_id}&contact=ines%2Btemplate%40example.org")
    expect(page.get_by_label("Message to Ines Duarte")).to_have_value(
        "Hi Ines Duarte, about Refund deactivated seats automatically: done. <b>Thanks</b>")


@pytest.fixture
def no_script(chromium: Browser, server: Server) -> Iterator[Page]:
    context = chromium.new_context(base_url=server.url, java_script_enabled=False)
    watch = Watch(server.url)
    context.on("page", watch.attach)
    yield context.new_page()
    context.close()
    assert not watch.foreign


def test_the_queue_works_without_javascript(no_script: Page, server: Server) -> None:
    q = _seed(server, "plain")
    _open(no_script, server, q, query="&group=item")
    yusuf = no_script.locator("li.qentry").filter(has_text="Yusuf Okafor")
    yusuf.get_by_role("button", name=re.compile("^Unreachable")).click()  # a plain POST, 303 back
    expect(no_script.locator("#queue-count")).to_contain_text("6 notifications to make")
    assert no_script.url.endswith(f"/app/closed-loop?team={q.team_id}&group=item")
    assert _entry(server, q.entries["Yusuf/vat"]).status is NotificationStatus.unreachable
    with _db(server) as session:  # the activity log names the agent
        agent = session.scalar(select(Person.name).where(Person.email == server.emails["owner"]))
        entry = session.get(ChecklistEntry, q.entries["Yusuf/vat"])
        assert entry is not None and entry.notified_by_id is not None
        assert session.get(Person, entry.notified_by_id).name == agent  # type: ignore[union-attr]


def test_a_viewer_reads_the_whole_queue_without_controls(new_context: NewContext, server: Server) -> None:
    _seed(server, "viewer")
    page = new_context().new_page()
    page.goto("/app/closed-loop")
    sign_in(page, server.emails["viewer"])
    expect(page.locator("h1")).to_have_text("Closed-loop queue")
    expect(page.locator("article.qgroup").first).to_be_visible()
    expect(page.locator("#queue-bulk")).to_have_count(0)
    expect(page.locator("article.qgroup button")).to_have_count(0)
    page.locator("details.qgroup__draft > summary").first.click()
    assert axe_violations(page) == []
    screenshots(page, "closed-loop-viewer")
