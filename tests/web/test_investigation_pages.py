"""Investigation pages: the owner records findings and the root cause (with the version the
page showed), others read; the programme's root causes as a Pareto chart."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests import factories
from tests.factories.programme import build_world
from tests.web.conftest import Browser
from tracker.investigations import service
from tracker.investigations.models import Investigation, InvestigationStatus, RootCauseCategory
from tracker.people.models import Role


def _form(inv: Investigation, token: str, **fields: str) -> dict[str, str]:
    return {"hypotheses": "", "findings": "", "root_cause": "", "root_cause_category": "", "root_cause_area": "",
            "status": inv.status.value, "version": str(inv.version), "csrf_token": token, **fields}


def test_the_owner_records_the_root_cause(browser: Browser, session: Session) -> None:
    world = build_world(session)
    inv = world["investigation"]
    token = browser.sign_in_as(world["owner"])
    page = browser.get(f"/app/investigations/{inv.id}")
    assert page.status_code == 200 and 'name="findings"' in page.text and world["moment"].title in page.text
    r = browser.post(f"/app/investigations/{inv.id}", _form(inv, token, status="concluded"))
    assert r.status_code == 422 and 'id="f-root_cause-error"' in r.text  # concluding needs a root cause
    r = browser.post(f"/app/investigations/{inv.id}", _form(
        inv, token, hypotheses="Template adds VAT\nRounding", findings="The PDF adds VAT to a gross total",
        root_cause="Finance export shown as is", root_cause_category="tool", root_cause_area="invoice PDF",
        status="concluded"))
    assert r.status_code == 303 and r.headers["location"] == f"/app/investigations/{inv.id}?saved"
    session.refresh(inv)
    assert inv.status is InvestigationStatus.concluded and inv.root_cause_category is RootCauseCategory.tool
    assert inv.hypotheses == ["Template adds VAT", "Rounding"]
    assert "Saved." in browser.get(r.headers["location"]).text


def test_a_stale_edit_says_who_changed_what_and_keeps_the_text(browser: Browser, session: Session) -> None:
    world = build_world(session)
    inv, lead = world["investigation"], world["lead"]
    token = browser.sign_in_as(world["owner"])
    shown = inv.version
    service.update_investigation(session, actor=lead, investigation_id=inv.id, expected_version=shown,
                                 data={"findings": "Lead's finding"})
    session.commit()
    r = browser.post(f"/app/investigations/{inv.id}", {**_form(inv, token, findings="My own words"),
                                                      "version": str(shown)})
    assert r.status_code == 409 and lead.name in r.text and "Lead&#39;s finding" in r.text
    assert "My own words" in r.text  # what was typed is not lost
    session.refresh(inv)
    assert inv.findings == "Lead's finding"


def test_others_read_without_controls_and_are_refused(browser: Browser, session: Session) -> None:
    world = build_world(session)
    inv = world["investigation"]
    for person in (factories.person(session, Role.viewer), factories.person(session, Role.owner)):
        token = browser.sign_in_as(person)
        page = browser.get(f"/app/investigations/{inv.id}").text
        assert 'name="findings"' not in page and "Its owner or a lead can change it" in page
        assert browser.post(f"/app/investigations/{inv.id}", _form(inv, token, findings="x")).status_code == 403


def test_the_list_draws_root_causes_as_a_pareto_chart(browser: Browser, session: Session) -> None:
    world = build_world(session)
    inv = world["investigation"]
    inv.root_cause_category, inv.root_cause_area = RootCauseCategory.process, "billing"
    for category in (RootCauseCategory.process, RootCauseCategory.tool):
        session.add(Investigation(moment_id=world["moment"].id, title=f"More {category}",
                                  root_cause_category=category))
    session.commit()
    browser.sign_in_as(factories.person(session, Role.viewer))
    page = browser.get("/app/investigations").text
    assert page.count('class="bar"') == 4  # every category, empty ones as zero-height bars
    assert 'data-count="2"' in page and "Process" in page and "billing" in page
    assert f'href="/app/investigations/{inv.id}"' in page


def test_api_links_to_a_moment_or_an_investigation_open_their_pages(browser: Browser, session: Session) -> None:
    world = build_world(session)
    browser.sign_in_as(factories.person(session, Role.viewer))
    for api, page in ((f"/moments/{world['moment'].id}", f"/app/moments/{world['moment'].id}"),
                      (f"/investigations/{world['investigation'].id}",
                       f"/app/investigations/{world['investigation'].id}")):
        r = browser.get(api)
        assert r.status_code == 303 and r.headers["location"] == page, api
        assert browser.get(page).status_code == 200


def test_nul_characters_are_refused_next_to_their_field(browser: Browser, session: Session) -> None:
    world = build_world(session)
    inv, moment = world["investigation"], world["moment"]
    token = browser.sign_in_as(world["lead"])
    r = browser.post(f"/app/investigations/{inv.id}", _form(inv, token, findings="a\x00b"))
    assert r.status_code == 422 and 'id="f-findings-error"' in r.text
    r = browser.post(f"/app/moments/{moment.id}/promote", {
        "action_items.0.title": "a\x00b", "action_items.0.owner_id": str(world["owner"].id),
        "action_items.0.team_id": str(world["team"].id), "action_items.0.deadline": "2030-01-31", "csrf_token": token})
    assert r.status_code == 422 and 'id="f-action_items.0.title-error"' in r.text
    r = browser.post(f"/app/moments/{moment.id}/rank", {"rank": "1", "reason": "a\x00b", "version": str(moment.version),
                                                         "csrf_token": token})
    assert r.status_code == 422 and 'id="f-reason-error"' in r.text
