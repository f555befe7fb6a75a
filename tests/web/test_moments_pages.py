"""The moments pages: the ranked list with its score taken apart, the matrix, the what-if
preview (never saved) and saving weights, pins, and the promote flow with field errors."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from tests.factories.programme import build_world
from tests.web.conftest import Browser
from tracker.actions.models import ActionItem
from tracker.investigations.models import Investigation
from tracker.moments import priority
from tracker.moments.models import MomentOfTruth, PriorityWeightSet
from tracker.moments.weights import set_weights
from tracker.people.models import Role

HOSTILE = ('<script>alert(1)</script>', '"><img src=x onerror=alert(1)>')
DEFAULT = priority.Weights(0.3, 0.3, 0.2, 0.2)


def _moment(session: Session, title: str, **factors: int) -> MomentOfTruth:
    values = {name: 3 for name in priority.FACTORS} | factors
    m = MomentOfTruth(title=title, score=priority.score(values, DEFAULT), **values)
    session.add(m)
    session.flush()
    return m


def _two_rivals(session: Session) -> tuple[MomentOfTruth, MomentOfTruth]:
    """One moment that matters by reach, one by severity: weights decide which leads."""
    wide = _moment(session, "Wide reach", reach=5, severity=1, emotional_weight=1, business_impact=1, effort=1,
                   confidence=5)
    deep = _moment(session, "Deep severity", reach=1, severity=5, emotional_weight=1, business_impact=1,
                   effort=1, confidence=5)
    session.commit()
    return wide, deep


def _order(html: str) -> list[int]:
    return [int(m) for m in re.findall(r'<tr data-moment-id="(\d+)"', html)]


def test_the_list_shows_rank_factors_weights_formula_pins_and_one_circle_per_moment(
        browser: Browser, session: Session) -> None:
    world = build_world(session)
    wide, deep = _two_rivals(session)
    world["moment"].rank_override, world["moment"].rank_override_reason = 1, "Board wants invoices first"
    session.commit()
    browser.sign_in_as(world["lead"])
    page = browser.get("/app/moments")
    assert page.status_code == 200
    order = _order(page.text)
    assert order[0] == world["moment"].id and set(order) == {world["moment"].id, wide.id, deep.id}
    assert "Pinned at 1" in page.text and "Board wants invoices first" in page.text
    assert "100 × (value ÷ 5) × (confidence ÷ 5) × ((6 − effort) ÷ 5)" in page.text
    assert "×0.3" in page.text and "×0.2" in page.text
    assert page.text.count('class="moment"') == 3  # the matrix: a circle per moment
    assert f'data-moment-id="{wide.id}"' in page.text


def test_what_if_reorders_with_the_same_formula_and_saves_nothing(browser: Browser, session: Session) -> None:
    world = build_world(session)
    wide, deep = _two_rivals(session)
    scores = {m.id: m.score for m in session.scalars(select(MomentOfTruth))}
    browser.sign_in_as(world["lead"])
    by_reach = browser.get("/app/moments?reach=1&severity=0&emotional_weight=0&business_impact=0")
    by_severity = browser.get("/app/moments?reach=0&severity=1&emotional_weight=0&business_impact=0")
    assert by_reach.status_code == by_severity.status_code == 200
    ranked_reach, ranked_severity = _order(by_reach.text), _order(by_severity.text)
    assert ranked_reach.index(wide.id) < ranked_reach.index(deep.id)
    assert ranked_severity.index(deep.id) < ranked_severity.index(wide.id)
    assert "Preview: not saved" in by_reach.text and "Save these weights" in by_reach.text
    expected = priority.score(priority.factors_of(wide), priority.Weights(1, 0, 0, 0))
    assert f"<strong>{expected:.1f}</strong>" in by_reach.text
    session.expire_all()
    assert session.scalar(select(PriorityWeightSet)) is None
    assert {m.id: m.score for m in session.scalars(select(MomentOfTruth))} == scores
    # htmx asks for the block only
    fragment = browser.client.get("/app/moments?reach=0&severity=1&emotional_weight=0&business_impact=0",
                                  headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="priorities"') and "<html" not in fragment.text


def test_weights_that_cannot_rank_are_refused_on_the_page(browser: Browser, session: Session) -> None:
    world = build_world(session)
    browser.sign_in_as(world["lead"])
    r = browser.get("/app/moments?reach=0&severity=0&emotional_weight=0&business_impact=0")
    assert r.status_code == 422 and "must be above 0" in r.text
    r = browser.get("/app/moments?reach=-1&severity=1&emotional_weight=0&business_impact=0")
    assert r.status_code == 422 and 'id="f-reach-error"' in r.text


def test_a_lead_saves_weights_and_a_stale_save_says_who(browser: Browser, session: Session) -> None:
    world = build_world(session)
    wide, deep = _two_rivals(session)
    token = browser.sign_in_as(world["lead"])
    form = {"reach": "0", "severity": "1", "emotional_weight": "0", "business_impact": "0", "csrf_token": token}
    r = browser.post("/app/moments/weights", form)
    assert r.status_code == 303 and r.headers["location"].startswith("/app/moments?saved=")
    session.expire_all()
    row = session.scalar(select(PriorityWeightSet))
    assert row is not None and row.severity == 1 and row.reach == 0
    order = _order(browser.get("/app/moments").text)
    assert order.index(deep.id) < order.index(wide.id)
    # A second lead saves on top; the first lead's page still carries version 1.
    other = factories.person(session, Role.lead, name="Other Lead")
    set_weights(session, actor=other, data={"reach": 1, "severity": 1, "emotional_weight": 1, "business_impact": 1},
                expected_version=1)
    session.commit()
    stale = browser.post("/app/moments/weights", {**form, "reach": "2", "version": "1"})
    assert stale.status_code == 409 and "Other Lead" in stale.text and "Yours were not saved" in stale.text
    session.expire_all()
    assert session.scalar(select(PriorityWeightSet.reach)) == 1


def test_a_viewer_reads_but_sees_no_controls_and_the_server_refuses(browser: Browser, session: Session) -> None:
    world = build_world(session)
    viewer = factories.person(session, Role.viewer)
    token = browser.sign_in_as(viewer)
    preview = browser.get("/app/moments?reach=1&severity=1&emotional_weight=1&business_impact=1")
    assert preview.status_code == 200 and "Save these weights" not in preview.text
    page = browser.get(f"/app/moments/{world['moment'].id}").text
    assert "/promote" not in page and "/rank" not in page and world["moment"].title in page
    moment_id = world["moment"].id
    for url, data in (("/app/moments/weights", {"reach": "1", "severity": "1", "emotional_weight": "1",
                                                "business_impact": "1"}),
                      (f"/app/moments/{moment_id}/rank", {"rank": "1", "reason": "x", "version": "1"}),
                      (f"/app/moments/{moment_id}/promote", {})):
        assert browser.post(url, {**data, "csrf_token": token}).status_code == 403, url
    assert browser.get(f"/app/moments/{moment_id}/promote").status_code == 403


def test_pin_needs_a_reason_then_pins_and_unpins(browser: Browser, session: Session) -> None:
    world = build_world(session)
    moment = world["moment"]
    token = browser.sign_in_as(world["lead"])
    page = browser.get(f"/app/moments/{moment.id}").text
    assert "Promote to an investigation" in page and f'action="/app/moments/{moment.id}/rank"' in page
    r = browser.post(f"/app/moments/{moment.id}/rank", {"rank": "1", "reason": " ", "version": str(moment.version),
                                                         "csrf_token": token})
    assert r.status_code == 422 and 'id="f-reason-error"' in r.text
    r = browser.post(f"/app/moments/{moment.id}/rank", {"rank": "1", "reason": "Churn driver",
                                                         "version": str(moment.version), "csrf_token": token})
    assert r.status_code == 303
    session.refresh(moment)
    assert moment.rank_override == 1 and moment.rank_override_reason == "Churn driver"
    stale = browser.post(f"/app/moments/{moment.id}/unpin", {"version": "1", "csrf_token": token})
    assert stale.status_code == 409 and world["lead"].name in stale.text
    r = browser.post(f"/app/moments/{moment.id}/unpin", {"version": str(moment.version), "csrf_token": token})
    assert r.status_code == 303
    session.refresh(moment)
    assert moment.rank_override is None


def _item(i: int, **fields: str) -> dict[str, str]:
    return {f"action_items.{i}.{k}": v for k, v in fields.items()}


def test_promote_shows_field_errors_then_creates_everything(browser: Browser, session: Session) -> None:
    world = build_world(session)
    moment, team, owner = world["moment"], world["team"], world["owner"]
    viewer = factories.person(session, Role.viewer, name="Vera Viewer")
    token = browser.sign_in_as(world["lead"])
    page = browser.get(f"/app/moments/{moment.id}/promote")
    assert page.status_code == 200 and 'name="action_items.0.owner_id"' in page.text
    assert "Vera Viewer" not in page.text  # viewers cannot own work
    deadline = (date.today() + timedelta(days=30)).isoformat()
    good = _item(0, title="Fix the VAT line", owner_id=str(owner.id), team_id=str(team.id), deadline=deadline,
                 priority="high", training_needed="on")
    # The second row added without JavaScript: a submit that writes nothing.
    added = browser.post(f"/app/moments/{moment.id}/promote", {**good, "add_row": "1", "csrf_token": token})
    assert added.status_code == 200 and 'name="action_items.1.title"' in added.text
    assert 'value="Fix the VAT line"' in added.text
    # Form validation: a missing owner on row 1, shown next to that input.
    second = _item(1, title="Train the billing desk", team_id=str(team.id), deadline=deadline)
    r = browser.post(f"/app/moments/{moment.id}/promote", {**good, **second, "rows": "2", "csrf_token": token})
    assert r.status_code == 422 and 'id="f-action_items.1.owner_id-error"' in r.text
    # The service's own check (a viewer may not own an item): its field names the input too.
    second["action_items.1.owner_id"] = str(viewer.id)
    r = browser.post(f"/app/moments/{moment.id}/promote", {**good, **second, "rows": "2", "csrf_token": token})
    assert r.status_code == 422 and 'id="f-action_items.1.owner_id-error"' in r.text and "viewer" in r.text
    before = session.scalar(select(Investigation.id).order_by(Investigation.id.desc()))
    assert session.scalars(select(Investigation).where(Investigation.id > before)).first() is None  # nothing half-made
    second["action_items.1.owner_id"] = str(owner.id)
    r = browser.client.post(f"/app/moments/{moment.id}/promote",
                            data={**good, **second, "rows": "2", "investigation.hypotheses": "PDF template\n\nVAT rule",
                                  "csrf_token": token}, headers={"HX-Request": "true"})
    assert r.status_code == 204 and r.headers["HX-Redirect"].startswith(f"/app/moments/{moment.id}?promoted=")
    session.expire_all()
    inv = session.scalars(select(Investigation).order_by(Investigation.id.desc())).first()
    assert inv is not None and inv.hypotheses == ["PDF template", "VAT rule"] and inv.owner_id == world["lead"].id
    items = list(session.scalars(select(ActionItem).where(ActionItem.investigation_id == inv.id)
                                 .order_by(ActionItem.id)))
    assert [i.title for i in items] == ["Fix the VAT line", "Train the billing desk"]
    page = browser.get(r.headers["HX-Redirect"]).text
    assert "Promoted." in page and "Train the billing desk" in page and inv.title in page


def test_promote_needs_at_least_one_action_item(browser: Browser, session: Session) -> None:
    world = build_world(session)
    token = browser.sign_in_as(world["lead"])
    r = browser.post(f"/app/moments/{world['moment'].id}/promote", {"csrf_token": token})
    assert r.status_code == 422 and 'id="f-action_items.0.title-error"' in r.text


def test_hostile_moment_titles_render_inert(browser: Browser, session: Session) -> None:
    world = build_world(session)
    for text in HOSTILE:
        world["moment"].title = text
        world["moment"].rank_override, world["moment"].rank_override_reason = 1, text
        world["investigation"].title = text
        session.commit()
        browser.sign_in_as(world["lead"])
        for url in ("/app/moments", f"/app/moments/{world['moment'].id}", f"/app/moments/{world['moment'].id}/promote",
                    "/app/investigations", f"/app/investigations/{world['investigation'].id}",
                    "/app/moments?reach=1&severity=1&emotional_weight=1&business_impact=1"):
            html = browser.get(url).text
            assert "<script>alert(1)" not in html and "<img src=x" not in html, url
            assert "&lt;script&gt;" in html or "&#34;&gt;&lt;img" in html, url
