"""The action board in a real browser: drag moves (allowed and refused), the keyboard path,
filters, the table and its CSV, hostile text, accessibility and screenshots.

The session's server is shared with test_workspace.py, which moves the demo owner's items:
these tests move only items it does not use, found in the database when they run.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from playwright.sync_api import BrowserContext, Locator, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.web.browser.conftest import Server, axe_violations, screenshots, sign_in
from tracker.actions import service
from tracker.actions.models import ActionItem, Phase
from tracker.db import make_engine, make_session_factory, transaction
from tracker.people.models import Team

NewContext = Callable[[], BrowserContext]
HOSTILE = "=HYPERLINK(\"http://evil.example\")<script>window.pwned=1</script><img src=x onerror=\"window.pwned=1\">"


@contextmanager
def _db(server: Server) -> Iterator[Session]:
    engine = make_engine(server.database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()


def _planned(server: Server, n: int) -> list[int]:
    with _db(server) as session:
        ids = list(session.scalars(select(ActionItem.id).where(
            ActionItem.phase == Phase.planned, ActionItem.id.not_in(list(server.items.values())))
            .order_by(ActionItem.id)))
    assert len(ids) >= n, "the demo should have planned items nobody else moves"
    return ids[:n]


def _new_planned(server: Server, title: str) -> int:
    """A planned item of its own, for a test that moves it (the demo has few planned items)."""
    with _db(server) as session:
        some = session.scalars(select(ActionItem).order_by(ActionItem.id)).first()
        assert some is not None
        return service.create_action_item(session, actor=None, data={
            "title": title, "team_id": some.team_id, "owner_id": some.owner_id,
            "deadline": "2031-01-01", "priority": "low"}).id


def _phase(server: Server, item_id: int) -> Phase:
    with _db(server) as session:
        item = session.get(ActionItem, item_id)
        assert item is not None
        return item.phase


def _board(new_context: NewContext, server: Server, role: str = "lead", query: str = "") -> Page:
    page = new_context().new_page()
    page.goto(f"/app/board{query}")
    sign_in(page, server.emails[role])
    expect(page.locator("h1")).to_have_text("Action board")
    return page


def _card(page: Page, item_id: int) -> Locator:
    return page.locator(f"#card-{item_id}")


def _column(page: Page, phase: str) -> Locator:
    return page.locator(f'.column__cards[data-phase="{phase}"]')


def _drag(page: Page, item_id: int, phase: str) -> None:
    """A real pointer drag: press on the card's owner line, move in steps, release on the column.
    The viewport is made tall enough to hold both, as a person would scroll to see them."""
    page.set_viewport_size({"width": 1280, "height": 2400})
    source = _card(page, item_id).locator(".card__meta").first.bounding_box()
    target = _column(page, phase).bounding_box()
    assert source and target
    page.mouse.move(source["x"] + 10, source["y"] + source["height"] / 2)
    page.mouse.down()
    page.mouse.move(source["x"] + 30, source["y"] + 20, steps=5)
    page.mouse.move(target["x"] + target["width"] / 2, target["y"] + min(target["height"] - 5, 30), steps=20)
    page.mouse.up()


def test_a_refused_drag_snaps_back_and_an_allowed_one_lands(new_context: NewContext, server: Server) -> None:
    item_id = _planned(server, 1)[0]
    page = _board(new_context, server)
    page.evaluate("window.stillTheSamePage = true")
    expect(_column(page, "planned").locator(f"#card-{item_id}")).to_have_count(1)
    with page.expect_response(f"**/app/board/items/{item_id}/phase") as answer:
        _drag(page, item_id, "done")
    assert answer.value.status == 409
    assert answer.value.request.headers.get("x-csrf-token")
    status = page.locator("#board-status")
    expect(status).to_contain_text("was not moved")
    expect(status).to_contain_text("allowed=[implementing, blocked, cancelled]")
    expect(_column(page, "planned").locator(f"#card-{item_id}")).to_have_count(1)  # snapped back
    expect(_column(page, "done").locator(f"#card-{item_id}")).to_have_count(0)
    assert _phase(server, item_id) is Phase.planned
    screenshots(page, "board-refused")

    with page.expect_response(f"**/app/board/items/{item_id}/phase") as answer:
        _drag(page, item_id, "implementing")
    assert answer.value.status == 200
    expect(_column(page, "implementing").locator(f"#card-{item_id}")).to_have_count(1)
    expect(status).to_contain_text("to Implementing")
    assert _phase(server, item_id) is Phase.implementing
    assert page.evaluate("window.stillTheSamePage === true")  # no reload
    # The card came back from the server with its new version: a second move is not stale.
    expect(_card(page, item_id)).to_have_attribute("data-phase", "implementing")


def test_a_move_by_keyboard_from_the_card_menu(new_context: NewContext, server: Server) -> None:
    item_id = _planned(server, 1)[0]
    page = _board(new_context, server)
    summary = _card(page, item_id).locator("summary")
    summary.focus()
    page.keyboard.press("Enter")  # opens the Move… menu
    button = _card(page, item_id).locator("button", has_text="Move to implementing")
    expect(button).to_be_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Move to implementing"
    with page.expect_response(f"**/app/board/items/{item_id}/phase") as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 200
    expect(_column(page, "implementing").locator(f"#card-{item_id}")).to_have_count(1)
    expect(page.locator("#board-status")).to_contain_text("Moved")
    assert page.evaluate("document.activeElement.id") == f"card-{item_id}"  # focus stays on the card
    assert _phase(server, item_id) is Phase.implementing


def test_a_drag_that_needs_a_reason_opens_the_menu_at_its_field(new_context: NewContext, server: Server) -> None:
    """Blocking needs a reason: the drag is refused, the card's moves load into its menu, the
    focus lands in the reason field, and the menu's form then blocks the item."""
    item_id = _new_planned(server, "Wait for the VAT ruling")
    page = _board(new_context, server)
    menu = _card(page, item_id).locator(".card__menu")
    expect(menu.locator("form")).to_have_count(0)  # nothing loaded before the menu is wanted
    with page.expect_response(f"**/app/board/items/{item_id}/phase") as answer:
        _drag(page, item_id, "blocked")
    assert answer.value.status == 422
    expect(page.locator("#board-status")).to_contain_text("reason is required")
    reason = _card(page, item_id).locator('.card-move[data-to="blocked"] input[name="reason"]')
    expect(reason).to_be_focused()
    expect(_column(page, "planned").locator(f"#card-{item_id}")).to_have_count(1)
    page.keyboard.type("Waiting on the VAT ruling")
    with page.expect_response(f"**/app/board/items/{item_id}/phase") as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 200
    expect(_column(page, "blocked").locator(f"#card-{item_id}")).to_have_count(1)
    assert _phase(server, item_id) is Phase.blocked


def test_a_move_without_script_goes_through_the_cards_moves_page(new_context: NewContext, server: Server) -> None:
    item_id = _new_planned(server, "Move me without script")
    context = new_context()
    page = context.new_page()
    page.goto("/app/board?overdue=false")
    sign_in(page, server.emails["lead"])
    # As if the board's script were off (an empty script, so the browser logs no failed load).
    emptied: list[str] = []
    context.route("**/static/js/board*.js*", lambda route: (emptied.append(route.request.url), route.fulfill(
        status=200, content_type="text/javascript", body="")))
    page.goto(f"/app/board?journey=&view=board#card-{item_id}")
    assert emptied, "the board's script should have been replaced"
    _card(page, item_id).locator("summary").click()
    _card(page, item_id).locator(".card__moves-slot a").click()
    expect(page.locator("h1")).to_contain_text("Move “")
    assert axe_violations(page) == []
    page.locator("button", has_text="Move to implementing").click()
    expect(page).to_have_url(re.compile(r"/app/board(\?view=board)?$"))
    expect(_column(page, "implementing").locator(f"#card-{item_id}")).to_have_count(1)
    assert _phase(server, item_id) is Phase.implementing


def test_filters_the_table_and_the_csv(new_context: NewContext, server: Server, tmp_path: object) -> None:
    with _db(server) as session:
        team = session.scalars(select(Team).order_by(Team.id)).first()
        assert team is not None
        team_id, team_name = team.id, team.name
        expected = set(session.scalars(select(ActionItem.title).where(ActionItem.team_id == team_id)))
    page = _board(new_context, server)
    page.select_option("#f-team", str(team_id))
    page.click("button:has-text('Filter')")
    expect(page).to_have_url(re.compile(rf"/app/board\?.*\bteam={team_id}\b"))
    titles = set(page.locator(".card__title").all_inner_texts())
    assert titles and titles <= expected
    page.click(".view-switch a:has-text('Table')")
    expect(page.locator("table.board-table")).to_be_visible()
    page.click("th a:has-text('Title')")
    expect(page.locator("th[aria-sort=ascending]")).to_have_text("Title ▲")
    shown = page.locator("table.board-table tbody td:first-child").all_inner_texts()
    assert shown == sorted(shown, key=str) and set(shown) == expected
    with page.expect_download() as download:
        page.click("a:has-text('Download CSV')")
    path = download.value.path()
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0][:3] == ["id", "title", "phase"]
    assert [r[1] for r in rows[1:]] == shown  # what is shown, in its order
    assert all(r[4] == team_name for r in rows[1:])


def test_a_hostile_title_is_inert_on_the_board_and_in_the_csv(new_context: NewContext, server: Server) -> None:
    with _db(server) as session:
        some = session.scalars(select(ActionItem).order_by(ActionItem.id)).first()
        assert some is not None
        item = service.create_action_item(session, actor=None, data={
            "title": HOSTILE, "team_id": some.team_id, "owner_id": some.owner_id,
            "deadline": "2020-01-01", "priority": "low"})
        item_id = item.id
    page = _board(new_context, server, "viewer")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    expect(_card(page, item_id).locator(".card__title")).to_have_text(HOSTILE)
    assert page.evaluate("window.pwned === undefined") and not dialogs
    page.goto("/app/board?view=table&sort=-updated")
    expect(page.locator("table.board-table")).to_contain_text("window.pwned=1")
    assert page.evaluate("window.pwned === undefined") and not dialogs
    with page.expect_download() as download:
        page.click("a:has-text('Download CSV')")
    with open(download.value.path(), newline="", encoding="utf-8") as f:
        row = next(r for r in csv.reader(f) if r[0] == str(item_id))
    assert row[1] == "'" + HOSTILE


def test_the_viewer_board_has_no_drag_or_menus(new_context: NewContext, server: Server) -> None:
    page = _board(new_context, server, "viewer")
    expect(page.locator(".card").first).to_be_visible()
    expect(page.locator(".card--movable")).to_have_count(0)
    expect(page.locator(".card__menu")).to_have_count(0)


def test_board_and_table_accessibility_and_screenshots(new_context: NewContext, server: Server) -> None:
    page = _board(new_context, server, "owner")
    assert axe_violations(page) == []
    screenshots(page, "board")
    page.locator(".card__menu summary").first.click()
    assert axe_violations(page) == []
    page.goto("/app/board?view=table")
    assert axe_violations(page) == []
    screenshots(page, "board-table")
