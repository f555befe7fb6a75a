"""Moments of truth, promote and investigations in a real browser: the what-if preview
reorders in place and saves nothing, the matrix draws every moment, the promote form shows a
field error then creates everything, hostile titles stay text, axe-core and screenshots."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.web.browser.conftest import Server, axe_violations, screenshots, sign_in
from tracker.actions.models import ActionItem
from tracker.db import make_engine, make_session_factory, transaction
from tracker.investigations.models import Investigation
from tracker.moments import priority
from tracker.moments.models import MomentOfTruth, PriorityWeightSet
from tracker.moments.ranking import RankInput, effective_ranks

NewContext = Callable[[], BrowserContext]
HOSTILE = ('<script>alert(1)</script>', '"><img src=x onerror=alert(1)>')
# Weights that count reach alone (for pages that only need some preview).
REACH_ONLY = {"reach": "1", "severity": "0", "emotional_weight": "0", "business_impact": "0"}


@contextmanager
def _db(server: Server) -> Iterator[Session]:
    engine = make_engine(server.database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()


def _expected_order(server: Server, weights: priority.Weights | None) -> list[int]:
    """The programme's order computed here, by the ranking functions, from the stored factors."""
    with _db(server) as db:
        moments = list(db.scalars(select(MomentOfTruth)))
        return effective_ranks([RankInput(m.id, m.score if weights is None else
                                          priority.score(priority.factors_of(m), weights), m.rank_override)
                                for m in moments])


def _weights(values: dict[str, str]) -> priority.Weights:
    return priority.Weights(**{name: float(v) for name, v in values.items()})


def _order(page: Page) -> list[int]:
    return [int(x) for x in page.locator("#ranking tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.momentId)")]


def _focused(page: Page) -> str:
    script = "document.activeElement && (document.activeElement.id || document.activeElement.textContent.trim())"
    return str(page.evaluate(script))


def _tab_to(page: Page, target: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if _focused(page) == target:
            return
    raise AssertionError(f"{target!r} is not reachable with Tab (stuck at {_focused(page)!r})")


def _signed_in(new_context: NewContext, server: Server, role: str) -> Page:
    page = new_context().new_page()
    page.goto("/")
    sign_in(page, server.emails[role])
    expect(page.locator("h1")).to_have_text("Programme home")
    return page


def test_what_if_reorders_in_place_and_a_reload_shows_the_saved_order(new_context: NewContext,
                                                                        server: Server) -> None:
    with _db(server) as db:
        weights_before = db.scalar(select(func.count()).select_from(PriorityWeightSet))
        scores_before = {mid: score for mid, score in db.execute(select(MomentOfTruth.id, MomentOfTruth.score))}
    saved = _expected_order(server, None)
    # One factor alone, the first that moves the demo's order.
    choices = [{name: "1" if name == only else "0" for name in priority.VALUE_FACTORS}
               for only in priority.VALUE_FACTORS]
    what_if = next((c for c in choices if _expected_order(server, _weights(c)) != saved), None)
    assert what_if is not None, "some single factor should reorder the demo's moments"
    proposed = _expected_order(server, _weights(what_if))
    page = _signed_in(new_context, server, "lead")
    page.get_by_role("link", name="Moments", exact=True).click()
    expect(page.locator("h1")).to_have_text("Moments of truth")
    assert _order(page) == saved
    page.evaluate("window.stillTheSamePage = true")
    for name, value in what_if.items():
        page.fill(f"#f-{name}", value)
    with page.expect_request("**/app/moments?*") as asked:
        page.click("button:has-text('Show the order')")
    assert asked.value.headers.get("hx-request") == "true" and asked.value.method == "GET"
    expect(page.locator("#priorities")).to_contain_text("Preview: not saved")
    assert _order(page) == proposed
    assert page.evaluate("window.stillTheSamePage === true")  # swapped in place
    expect(page.locator("#priorities button:has-text('Save these weights')")).to_be_visible()
    screenshots(page, "moments-preview")
    page.reload()
    assert _order(page) == saved
    with _db(server) as db:
        assert db.scalar(select(func.count()).select_from(PriorityWeightSet)) == weights_before
        assert {mid: score for mid, score in db.execute(select(MomentOfTruth.id, MomentOfTruth.score))} == scores_before


def test_the_matrix_draws_one_circle_per_moment(new_context: NewContext, server: Server) -> None:
    page = _signed_in(new_context, server, "viewer")
    page.goto("/app/moments")
    with _db(server) as db:
        ids = set(db.scalars(select(MomentOfTruth.id)))
    circles = page.locator("svg.priority-matrix circle.moment")
    assert circles.count() == len(ids) == page.locator("#ranking tbody tr").count()
    drawn = circles.evaluate_all("cs => cs.map(c => Number(c.dataset.momentId))")
    assert set(drawn) == ids
    # A viewer may preview (here by keyboard alone), but is offered no way to save, pin or promote.
    _tab_to(page, "f-reach")
    for name, value in REACH_ONLY.items():
        assert _focused(page) == f"f-{name}"
        page.keyboard.press("Control+A")
        page.keyboard.type(value)
        page.keyboard.press("Tab")
    assert _focused(page) == "Show the order"
    page.keyboard.press("Enter")
    expect(page.locator("#priorities")).to_contain_text("Preview: not saved")
    assert page.locator("#priorities form[action='/app/moments/weights']").count() == 0
    page.locator("#ranking tbody a").first.click()
    expect(page.locator("#score-title")).to_be_visible()
    assert page.locator("a:has-text('Promote')").count() == 0 and page.locator("#pin form").count() == 0
    screenshots(page, "moment-viewer")


def _last_moment(server: Server) -> tuple[int, str]:
    order = _expected_order(server, None)
    with _db(server) as db:
        moment = db.get(MomentOfTruth, order[-1])
        assert moment is not None
        return moment.id, moment.title


def test_promote_from_a_moment_shows_a_field_error_then_creates_everything(new_context: NewContext,
                                                                            server: Server) -> None:
    moment_id, _ = _last_moment(server)
    page = _signed_in(new_context, server, "lead")
    page.goto(f"/app/moments/{moment_id}")
    page.get_by_role("link", name="Promote to an investigation and action items").click()
    expect(page.locator("h1")).to_contain_text("Promote")
    deadline = (date.today() + timedelta(days=45)).isoformat()
    page.fill('[name="investigation.hypotheses"]', "The refund form asks for data we already have")
    page.fill('[name="action_items.0.title"]', "Prefill the refund form")
    page.select_option('[name="action_items.0.owner_id"]', label="Luis Fernandez")
    page.select_option('[name="action_items.0.team_id"]', index=1)
    page.fill('[name="action_items.0.deadline"]', deadline)
    page.check('[name="action_items.0.training_needed"]')
    page.click("button:has-text('Add another action item')")
    row = page.locator("#action-row-1")
    expect(row).to_be_visible()
    assert page.locator('[name="action_items.0.title"]').input_value() == "Prefill the refund form"
    page.fill('[name="action_items.1.title"]', "Tell the support desk")
    page.select_option('[name="action_items.1.team_id"]', index=1)
    page.fill('[name="action_items.1.deadline"]', deadline)
    page.click("button:has-text('Promote')")
    error = page.locator('[id="f-action_items.1.owner_id-error"]')
    expect(error).to_have_text("Needed")
    assert page.locator('[name="action_items.1.owner_id"]').get_attribute("aria-invalid") == "true"
    expect(page.get_by_role("alert")).to_contain_text("Nothing was created yet")
    assert axe_violations(page) == []
    screenshots(page, "promote-error")
    page.select_option('[name="action_items.1.owner_id"]', label="Luis Fernandez")
    page.click("button:has-text('Promote')")
    page.wait_for_url(f"**/app/moments/{moment_id}?promoted=*")
    expect(page.get_by_role("status").first).to_contain_text("Promoted.")
    expect(page.locator("#items")).to_contain_text("Prefill the refund form")
    expect(page.locator("#items")).to_contain_text("Tell the support desk")
    with _db(server) as db:
        inv = db.scalars(select(Investigation).where(Investigation.moment_id == moment_id)
                         .order_by(Investigation.id.desc())).first()
        assert inv is not None and inv.hypotheses == ["The refund form asks for data we already have"]
        titles = list(db.scalars(select(ActionItem.title).where(ActionItem.investigation_id == inv.id)
                                 .order_by(ActionItem.id)))
        assert titles == ["Prefill the refund form", "Tell the support desk"]
    screenshots(page, "moment-promoted")


def test_hostile_titles_render_inert(new_context: NewContext, server: Server) -> None:
    with _db(server) as db:
        ids = []
        for text in HOSTILE:
            m = MomentOfTruth(title=text, description=text, score=1.0)
            db.add(m)
            db.flush()
            db.add(Investigation(moment_id=m.id, title=text, findings=text))
            ids.append(m.id)
    page = _signed_in(new_context, server, "lead")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pages = [("/app/moments", HOSTILE), ("/app/investigations", HOSTILE)]
    for moment_id, text in zip(ids, HOSTILE, strict=True):
        pages += [(f"/app/moments/{moment_id}", (text,)), (f"/app/moments/{moment_id}/promote", (text,))]
    for url, texts in pages:
        page.goto(url)
        for text in texts:
            expect(page.locator("main")).to_contain_text(text)
        assert page.locator("main img[src='x']").count() == 0 and page.locator("main script").count() == 0
    assert dialogs == []


def test_moments_and_investigation_pages_pass_axe_and_are_photographed(new_context: NewContext,
                                                                       server: Server) -> None:
    with _db(server) as db:
        moment_id = _expected_order(server, None)[0]
        inv_id = db.scalar(select(Investigation.id).where(Investigation.root_cause.is_not(None))
                           .order_by(Investigation.id))
    lead = _signed_in(new_context, server, "lead")
    viewer = _signed_in(new_context, server, "viewer")
    pages = [("moments", lead, "/app/moments"), ("moment", lead, f"/app/moments/{moment_id}"),
             ("promote", lead, f"/app/moments/{moment_id}/promote"),
             ("investigations", viewer, "/app/investigations"),
             ("investigation", lead, f"/app/investigations/{inv_id}"),
             ("investigation-viewer", viewer, f"/app/investigations/{inv_id}")]
    for name, page, url in pages:
        page.goto(url)
        assert axe_violations(page) == [], name
        screenshots(page, name)
    lead.goto("/app/moments")
    for name, value in REACH_ONLY.items():
        lead.fill(f"#f-{name}", value)
    lead.click("button:has-text('Show the order')")
    expect(lead.locator("#priorities")).to_contain_text("Preview: not saved")
    assert axe_violations(lead) == [], "moments preview"
