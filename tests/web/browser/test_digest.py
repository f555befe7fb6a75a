"""The digest page in a real browser, and a shared digest link opened signed out and refused after
expiry (issue 10, acceptance 1): a lead picks a team and a week by keyboard, shares that week,
a stranger's browser opens the link with nothing else of the tracker on it, and once the link
has expired the same address answers 410. axe-core on every page, screenshots at desktop and
phone width.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.web.browser.conftest import Server, axe_violations, screenshots, sign_in
from tracker.db import make_engine, make_session_factory, transaction
from tracker.digests.models import DigestShareLink
from tracker.digests.weeks import parse_week
from tracker.types import utcnow

NewContext = Callable[[], BrowserContext]


@contextmanager
def _db(server: Server) -> Iterator[Session]:
    engine = make_engine(server.database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()


def _focused(page: Page) -> str:
    script = "document.activeElement && (document.activeElement.id || document.activeElement.textContent.trim())"
    return str(page.evaluate(script))


def _no_sideways_scroll(page: Page, name: str) -> None:
    page.set_viewport_size({"width": 390, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth <= 390"), f"{name} scrolls sideways on a phone"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_shared_digest_link_opens_signed_out_and_is_refused_after_expiry(
        new_context: NewContext, server: Server) -> None:
    lead = new_context().new_page()
    lead.goto("/app/digests")
    sign_in(lead, server.emails["lead"])
    heading = lead.locator("h1")
    expect(heading).to_have_text(re.compile(r"^Programme: week \d{4}-W\d\d$"))
    this_week = parse_week((heading.text_content() or "").rsplit(" ", 1)[1])
    last_week = this_week.previous().label

    # By keyboard: the team by typing its name, the week before with an arrow, then Show.
    lead.locator("#f-scope").focus()
    lead.keyboard.type("Billing")
    lead.keyboard.press("Tab")
    assert _focused(lead) == "f-week"
    lead.keyboard.press("ArrowDown")  # the weeks are listed newest first
    lead.keyboard.press("Tab")
    assert _focused(lead) == "Show"
    lead.keyboard.press("Enter")
    expect(heading).to_have_text(f"Billing Operations: week {last_week}")
    expect(lead.locator("#trend svg.digest-trend")).to_be_visible()
    expect(lead.locator("#slack")).to_contain_text("Nothing was sent to Slack")
    assert axe_violations(lead) == []
    screenshots(lead, "digest")
    _no_sideways_scroll(lead, "the digest page")

    # Share that week, by keyboard from the note to the button.
    expect(lead.get_by_label(f"Only {last_week}", exact=False)).to_be_checked()
    lead.locator("#f-note").focus()
    lead.keyboard.type("Billing steering group")
    lead.keyboard.press("Tab")
    assert _focused(lead) == "Make a read-only link"
    lead.keyboard.press("Enter")
    expect(heading).to_have_text("Shared digest links")
    url = lead.locator("#issued-link").input_value()
    assert url.startswith(f"{server.url}/shared/digests/")
    expect(lead.locator("#links")).to_contain_text("Billing steering group")
    assert axe_violations(lead) == []
    screenshots(lead, "digest-links")

    # A stranger's browser, signed out: the digest and nothing else.
    stranger = new_context().new_page()
    opened = stranger.goto(url)
    assert opened is not None and opened.status == 200
    assert opened.headers["referrer-policy"] == "no-referrer" and "noindex" in opened.headers["x-robots-tag"]
    expect(stranger.locator("h1")).to_have_text(f"Billing Operations: week {last_week}")
    for nothing_else in ("a", "form", "nav", "button", "input"):
        expect(stranger.locator(nothing_else)).to_have_count(0)
    # The only thing to reach by keyboard is the chart's table of figures.
    stranger.keyboard.press("Tab")
    assert _focused(stranger) == "The figures behind the chart"
    stranger.keyboard.press("Enter")
    expect(stranger.locator("#trend table")).to_be_visible()
    assert axe_violations(stranger) == []
    screenshots(stranger, "digest-shared")
    _no_sideways_scroll(stranger, "the shared digest")

    # Once it has expired, the same address is refused, clearly.
    with _db(server) as session:
        link = session.scalars(select(DigestShareLink).where(DigestShareLink.note == "Billing steering group")).one()
        link.expires_at = utcnow() - timedelta(seconds=1)
    refused = stranger.reload()
    assert refused is not None and refused.status == 410
    expect(stranger.locator("h1")).to_have_text("This link has expired")
    expect(stranger.locator("main")).not_to_contain_text("Billing Operations")
    assert axe_violations(stranger) == []
    screenshots(stranger, "digest-shared-expired")

    lead.reload()
    row = lead.locator(f"#link-{link.id}")
    expect(row).to_contain_text("Expired")
    expect(row.get_by_role("button", name=re.compile("^Revoke"))).to_have_count(0)
