"""The journey map pages in a real browser: the curve's points over their step columns, friction
pinned in its step's column, the line-up, one printed landscape page, the CSV import (a bad
line, then a good import), hostile text inert, axe-core and screenshots of each page."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.web.browser.conftest import Server, axe_violations, screenshots, sign_in

NewContext = Callable[[], BrowserContext]
CUSTOMER_MAP = "Getting help with a broken invoice"
EMPLOYEE_MAP = "Resolving a billing-dispute ticket"
BOARD = Path(__file__).resolve().parents[3] / "tracker" / "demo" / "board.csv"
HOSTILE = '"><img src=x onerror=alert(1)>'


def _signed_in(new_context: NewContext, server: Server, role: str) -> Page:
    page = new_context().new_page()
    page.goto("/")
    sign_in(page, server.emails[role])
    return page


def _open_map(page: Page, name: str = CUSTOMER_MAP) -> None:
    page.click("nav[aria-label=Main] >> text=Journeys")
    expect(page.locator("h1")).to_have_text("Journey maps")
    page.click(f"a:has-text('{name}')")
    expect(page.locator("h1")).to_have_text(name)


def _box(locator: Locator) -> dict[str, float]:
    box = locator.bounding_box()
    assert box is not None
    return box


def _centre_x(locator: Locator) -> float:
    box = _box(locator)
    return box["x"] + box["width"] / 2


def _within(x: float, column: Locator) -> bool:
    box = _box(column)
    return box["x"] <= x <= box["x"] + box["width"]


def _fits_a_phone(page: Page) -> None:
    """The map scrolls sideways inside its own box; the page itself never does."""
    page.set_viewport_size({"width": 390, "height": 900})
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert widths[0] <= widths[1], f"the page is wider than a phone: {widths}"


def _points(page: Page, selector: str) -> list[str]:
    return str(page.get_attribute(selector, "points")).split()


def test_the_map_draws_the_curve_over_its_steps_with_friction_pinned(new_context: NewContext,
                                                                      server: Server) -> None:
    page = _signed_in(new_context, server, "lead")
    _open_map(page)
    columns = page.locator(".jmap-col")
    count = columns.count()
    assert count >= 10
    assert len(_points(page, "polyline.curve")) == count  # one point per step
    for i in range(count):
        column = columns.nth(i)
        step_id = column.get_attribute("data-step-id")
        point = page.locator(f"circle.point[data-step-id='{step_id}']")
        assert _within(_centre_x(point), column), f"the curve's point for step {step_id} is off its column"
    pinned = page.locator(".jmap-col:has(.pin)")
    assert pinned.count() >= 3
    column = pinned.first
    pin = column.locator(".pin").first
    assert _within(_centre_x(pin), column)
    assert _box(pin)["y"] > _box(column.locator(".jmap-step"))["y"]  # under its step's card
    expect(page.locator(".pin .sev").first).to_contain_text("Severity")
    expect(page.locator(".pin__fixes .badge").first).to_be_visible()  # fix status drawn on the pin
    expect(page.locator(".pin__moment a").first).to_have_attribute("href", re.compile(r"^/app/moments/\d+$"))
    expect(page.locator("a:has-text('Import friction (CSV)')")).to_be_visible()
    assert axe_violations(page) == []
    screenshots(page, "journey-map")
    _fits_a_phone(page)
    # Printed: one landscape page, no menu or buttons.
    page.emulate_media(media="print")
    assert page.locator(".topbar").is_hidden() and page.locator(".pairing").is_hidden()
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) == 1
    page.emulate_media(media="screen")


def test_a_viewer_reads_the_map_and_the_list_without_import(new_context: NewContext, server: Server) -> None:
    page = _signed_in(new_context, server, "viewer")
    page.goto("/app/journey-maps")
    assert axe_violations(page) == []
    screenshots(page, "journey-maps")
    _open_map(page)
    expect(page.locator(".jmap-col").first).to_be_visible()
    assert page.locator("text=Import friction").count() == 0
    response = page.goto(page.url + "/import")
    assert response is not None and response.status == 403


def test_customer_and_employee_maps_line_up_stage_by_stage(new_context: NewContext, server: Server) -> None:
    page = _signed_in(new_context, server, "lead")
    _open_map(page)
    page.select_option("#pair-with", label=EMPLOYEE_MAP)
    page.click("button:has-text('Line up')")
    expect(page.locator("h1")).to_have_text("Customer and employee, stage by stage")
    assert "with=" in page.url
    lanes = {lane: page.locator(f".jmap-lane--{lane} .jmap-col:not(.jmap-col--empty)")
             for lane in ("customer", "employee")}
    for lane, cols in lanes.items():
        assert len(_points(page, f"polyline.curve.{lane}")) == cols.count()
        for i in range(cols.count()):
            step_id = cols.nth(i).get_attribute("data-step-id")
            point = page.locator(f"circle.point[data-step-id='{step_id}']")
            assert _within(_centre_x(point), cols.nth(i)), (lane, step_id)
    # Stage k of both maps starts at the same x: the hand-offs stand one above the other.
    customer_stages = page.locator(".jmap-lane--customer > .jmap-stage")
    employee_stages = page.locator(".jmap-lane--employee > .jmap-stage")
    assert customer_stages.count() == employee_stages.count()
    for i in range(customer_stages.count()):
        assert abs(_box(customer_stages.nth(i))["x"] - _box(employee_stages.nth(i))["x"]) < 1
    assert axe_violations(page) == []
    screenshots(page, "journey-lineup")
    _fits_a_phone(page)


def test_import_shows_a_bad_line_then_imports_a_good_file(new_context: NewContext, server: Server) -> None:
    page = _signed_in(new_context, server, "lead")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _open_map(page)
    page.click("a:has-text('Import friction (CSV)')")
    expect(page.locator("h1")).to_have_text("Import friction from a workshop board")
    assert axe_violations(page) == []
    bad = ("stage,step,title,evidence_source\n"
           "Noticing the problem,Reads the invoice PDF,Seat count unexplained,workshop\n"
           "Noticing the problem,Reads the PDF upside down,Nowhere to pin this,workshop\n")
    page.set_input_files("#f-file", files=[{"name": "board.csv", "mimeType": "text/csv", "buffer": bad.encode()}])
    page.click("button:has-text('Check the file')")
    expect(page.get_by_role("alert")).to_contain_text("1 problem in the file: nothing was imported")
    bad_row = page.locator("tr.import-row--bad")
    expect(bad_row).to_have_count(1)
    expect(bad_row).to_have_attribute("data-line", "3")
    expect(bad_row).to_contain_text("unknown step 'Reads the PDF upside down'")
    expect(page.locator("button:has-text('Import')")).to_have_count(0)
    assert axe_violations(page) == []
    screenshots(page, "journey-import-errors")
    _fits_a_phone(page)

    hostile_cell = '"' + HOSTILE.replace('"', '""') + '"'  # CSV quoting of a cell with quotes
    good = BOARD.read_text(encoding="utf-8") + f"Contacting support,Emails support,{hostile_cell}\n"
    page.set_input_files("#f-file", files=[{"name": "board.csv", "mimeType": "text/csv", "buffer": good.encode()}])
    page.click("button:has-text('Check the file')")
    expect(page.locator(".banner--success")).to_contain_text("The file is ready to import")
    expect(page.locator("tr.import-row--bad")).to_have_count(0)
    assert axe_violations(page) == []
    screenshots(page, "journey-import-preview")
    page.click("button:has-text('Import 5 rows')")
    expect(page.locator("h1")).to_have_text(CUSTOMER_MAP)
    expect(page.locator(".banner--success")).to_contain_text("Imported: 4 friction points")
    pin = page.locator(".pin", has_text="Invoice email hides the amount due")
    expect(pin).to_have_count(1)
    step = page.locator(".jmap-col", has=page.locator("h4", has_text="Receives the invoice email"))
    assert _within(_centre_x(pin), step)
    hostile = page.locator(".pin__title", has_text="onerror=alert(1)")
    expect(hostile).to_contain_text(HOSTILE)  # shown as text, never parsed as markup
    assert page.locator(".jmap img").count() == 0 and dialogs == []
