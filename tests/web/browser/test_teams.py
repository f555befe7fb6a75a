"""Teams in a real browser: a lead adds a team, tunes its nudge policy by keyboard while the
preview redraws with the typed values (htmx, no reload), and saves it; the same preview without
JavaScript through the Preview button; a viewer reads without controls and is refused. axe-core,
keyboard use, phone width and screenshots."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.web.browser.conftest import Server, axe_violations, screenshots, sign_in

NewContext = Callable[[], BrowserContext]


def _signed_in(new_context: NewContext, server: Server, role: str) -> Page:
    page = new_context().new_page()
    page.goto("/")
    sign_in(page, server.emails[role])
    return page


def _focused(page: Page) -> str:
    return str(page.evaluate("document.activeElement && (document.activeElement.id"
                             " || document.activeElement.textContent.trim())"))


def _tab_to(page: Page, target: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if _focused(page) == target:
            return
    raise AssertionError(f"{target!r} is not reachable with Tab (stuck at {_focused(page)!r})")


def _before_due(page: Page) -> str:
    return str(page.locator("#nudge-preview tr[data-kind=before_due]").get_attribute("data-local"))


def _fits_a_phone(page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth <= 390"), "the page scrolls sideways on a phone"
    page.set_viewport_size({"width": 1280, "height": 900})


def _add_team(page: Page, name: str) -> int:
    page.goto("/app/teams")
    page.fill("#f-name", name)
    page.fill("#f-department", "onboarding")
    page.select_option("#f-lead_id", label="Maya Okafor, lead")
    page.fill("#f-slack_channel", "#onboarding")
    page.fill("#f-timezone", "Europe/Berlin")
    page.click("button:has-text('Add the team')")
    expect(page.locator("main")).to_contain_text("Team added.")
    return int(page.url.split("/app/teams/")[1].split("?")[0])


def test_a_lead_tunes_the_policy_with_a_live_preview_and_saves_it(new_context: NewContext, server: Server) -> None:
    page = _signed_in(new_context, server, "lead")
    page.goto("/app/teams")
    expect(page.locator("h1")).to_have_text("Teams")
    expect(page.locator(".teams-table")).to_contain_text("Billing Operations")
    assert axe_violations(page) == []
    team_id = _add_team(page, "Onboarding")
    expect(page.locator("h1")).to_have_text("Onboarding")
    assert axe_violations(page) == []
    screenshots(page, "team-added")
    _fits_a_phone(page)

    example = date.fromisoformat(page.locator("#f-example_deadline").input_value())
    assert _before_due(page).startswith((example - timedelta(days=2)).isoformat() + "T09:00")
    page.evaluate("window.stillTheSamePage = true")
    page.focus("#f-days_before_due")
    page.keyboard.press("Control+A")
    with page.expect_response(f"**/app/teams/{team_id}/nudge-policy/preview") as answered:
        page.keyboard.type("4")
    assert answered.value.status == 200 and answered.value.request.headers.get("hx-request") == "true"
    expect(page.locator("#nudge-preview")).to_contain_text("Unsaved values")
    four_days_before = re.compile("^" + re.escape((example - timedelta(days=4)).isoformat()) + "T09:00")
    expect(page.locator("#nudge-preview tr[data-kind=before_due]")).to_have_attribute("data-local", four_days_before)
    assert page.evaluate("window.stillTheSamePage === true")  # redrawn in place, nothing saved
    # An impossible value is named in the preview, not saved.
    page.fill("#f-workday_end_hour", "8")
    page.dispatch_event("#f-workday_end_hour", "input")
    expect(page.locator("#nudge-preview")).to_contain_text("workday_end_hour must be after workday_start_hour")
    page.fill("#f-workday_end_hour", "17")
    page.dispatch_event("#f-workday_end_hour", "input")
    expect(page.locator("#nudge-preview tr[data-kind=before_due]")).to_have_count(1)
    assert axe_violations(page) == []
    screenshots(page, "team-preview")

    page.focus("#f-days_before_due")
    _tab_to(page, "Preview")
    _tab_to(page, "Save the policy")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("Nudge policy saved.")
    expect(page.locator("#f-days_before_due")).to_have_value("4")
    expect(page.locator("#activity")).to_contain_text("nudge policy")
    assert "Unsaved values" not in page.locator("#nudge-preview").inner_text()


def test_the_preview_works_without_javascript(chromium: Browser, server: Server) -> None:
    context = chromium.new_context(base_url=server.url, java_script_enabled=False,
                                   viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto("/")
    sign_in(page, server.emails["admin"])
    team_id = _add_team(page, "Partnerships")
    page.fill("#f-days_before_due", "5")
    page.fill("#f-example_deadline", "2031-03-14")  # a Friday
    page.click("button:has-text('Preview')")
    assert page.url.endswith(f"/app/teams/{team_id}/nudge-policy/preview")
    expect(page.locator("#nudge-preview")).to_contain_text("Unsaved values")
    assert _before_due(page) == "2031-03-10T09:00:00+01:00"  # Monday, five days before
    expect(page.locator("#f-days_before_due")).to_have_value("5")  # what was typed is kept
    page.click("button:has-text('Save the policy')")
    expect(page.locator("main")).to_contain_text("Nudge policy saved.")
    context.close()


def test_a_viewer_reads_the_team_without_controls(new_context: NewContext, server: Server) -> None:
    page = _signed_in(new_context, server, "viewer")
    page.goto("/app/teams")
    link = page.locator(".teams-table a", has_text="Billing Operations")
    link.click()
    expect(page.locator("h1")).to_have_text("Billing Operations")
    expect(page.locator("#policy")).to_contain_text("Leads and admins change this policy")
    assert page.locator("#f-days_before_due").count() == 0 and page.locator("#f-name").count() == 0
    page.fill("#f-example_deadline", "2031-03-14")
    page.click("button:has-text('Show the schedule')")
    expect(page.locator("#nudge-preview")).to_contain_text("Fri 14 Mar 2031")
    assert axe_violations(page) == []
    screenshots(page, "team-viewer")
    _fits_a_phone(page)
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    team_url = page.url.split("?")[0].removeprefix(server.url)
    r = page.request.post(f"{team_url}/nudge-policy", form={"days_before_due": "9", "version": "0",
                                                            "csrf_token": str(token)})
    assert r.status == 403
