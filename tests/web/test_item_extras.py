"""The action item page's forms: work plan, progress, training, checklist, waivers, ticket and
nudges, each through its service, each role seeing only what it may do, stale edits explained."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from tests.factories.programme import build_world
from tests.web.conftest import Browser
from tracker.actions import service
from tracker.actions.models import ChecklistEntry, NotificationStatus, Phase, ProgressUpdate, TrainingRecord
from tracker.nudges.models import Nudge
from tracker.people.models import Role
from tracker.sync.models import LinkState, TargetKind, TicketLink, TicketTarget
from tracker.types import utcnow

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _seen(page: str) -> str:
    return page.split('name="seen_activity" value="')[1].split('"')[0]


def test_the_owner_posts_an_update_and_submits_a_work_plan(browser: Browser, session: Session) -> None:
    world = build_world(session)
    item = world["item"]
    token = browser.sign_in_as(world["owner"])
    page = browser.get(f"/app/action-items/{item.id}").text
    assert "Post update" in page and "Submit the work plan" in page
    assert "Push to a ticket" not in page and "Nudge the owner now" not in page and "Waive" not in page
    r = browser.post(f"/app/action-items/{item.id}/updates", {"note": XSS, "csrf_token": token})
    assert r.status_code == 303
    r = browser.post(f"/app/action-items/{item.id}/work-plan",
                     {"text": "1. Fix the template", "version": str(item.version), "csrf_token": token})
    assert r.status_code == 303
    after = browser.get(f"/app/action-items/{item.id}").text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in after and "<script>alert" not in after
    assert "1. Fix the template" in after and "Save the work plan" in after
    session.refresh(item)
    assert item.work_plan == "1. Fix the template"


def test_an_htmx_form_swaps_the_item_and_says_it_is_done(browser: Browser, session: Session) -> None:
    world = build_world(session)
    item = world["item"]
    token = browser.sign_in_as(world["owner"])
    r = browser.client.post(f"/app/action-items/{item.id}/updates", data={"note": "On it", "csrf_token": token},
                            headers={"HX-Request": "true"})
    assert r.status_code == 200 and r.text.lstrip().startswith('<div id="item"')
    assert "Update posted." in r.text and "On it" in r.text


def test_a_stale_work_plan_says_who_changed_what(browser: Browser, session: Session) -> None:
    world = build_world(session)
    item = world["item"]
    token = browser.sign_in_as(world["owner"])
    page = browser.get(f"/app/action-items/{item.id}").text
    shown = item.version
    service.submit_work_plan(session, actor=world["lead"], item_id=item.id, text="The lead's plan",
                             expected_version=shown)
    session.commit()
    r = browser.post(f"/app/action-items/{item.id}/work-plan", {
        "text": "Mine", "version": str(shown), "seen_activity": _seen(page), "csrf_token": token})
    assert r.status_code == 409
    assert "Someone changed this item" in r.text and world["lead"].name in r.text and "work plan" in r.text
    session.refresh(item)
    assert item.work_plan == "The lead's plan"  # nothing overwritten


def test_training_is_recorded_against_the_target(browser: Browser, session: Session) -> None:
    world = build_world(session)
    item = world["item"]
    record = session.scalars(select(TrainingRecord).where(TrainingRecord.action_item_id == item.id)).one()
    record.needed, record.target_count = True, 10
    session.commit()
    token = browser.sign_in_as(world["owner"])
    assert "Record training" in browser.get(f"/app/action-items/{item.id}").text
    r = browser.post(f"/app/action-items/{item.id}/training", {
        "sessions_held": "2", "people_trained": "7", "target_count": "10", "version": str(record.version),
        "csrf_token": token})
    assert r.status_code == 303
    assert "7 of 10" in browser.get(f"/app/action-items/{item.id}").text
    r = browser.post(f"/app/action-items/{item.id}/training", {
        "sessions_held": "-1", "people_trained": "7", "target_count": "10", "version": "2", "csrf_token": token})
    assert r.status_code == 422 and "greater than or equal to 0" in r.text


def test_any_owner_marks_a_checklist_entry_with_its_version(browser: Browser, session: Session) -> None:
    world = build_world(session)
    item, entry = world["item"], world["entry"]
    helper = factories.person(session, Role.owner)  # support staff close the loop on others' items
    token = browser.sign_in_as(helper)
    page = browser.get(f"/app/action-items/{item.id}").text
    assert "Acknowledged" in page and "Post update" not in page  # not their item to edit
    r = browser.post(f"/app/action-items/{item.id}/checklist", {
        "entry_id": str(entry.id), "status": "notified", "version": str(entry.version), "csrf_token": token})
    assert r.status_code == 303
    session.refresh(entry)
    assert entry.status is NotificationStatus.notified and entry.notified_by_id == helper.id
    r = browser.post(f"/app/action-items/{item.id}/checklist", {
        "entry_id": str(entry.id), "status": "acknowledged", "version": "1", "csrf_token": token})
    assert r.status_code == 409 and "Someone changed this item" in r.text
    r = browser.post(f"/app/action-items/{item.id}/updates", {"note": "not mine", "csrf_token": token})
    assert r.status_code == 403


def test_a_viewer_sees_no_forms_and_is_refused(browser: Browser, session: Session) -> None:
    world = build_world(session)
    item, entry = world["item"], world["entry"]
    token = browser.sign_in_as(factories.person(session, Role.viewer))
    page = browser.get(f"/app/action-items/{item.id}").text
    for control in ("Post update", "work plan</summary>", "Acknowledged</button>", "Record training", "Nudge the",
                    "Push to a ticket", 'name="csrf_token" value="' + token + '"><input type="hidden" name="seen'):
        assert control not in page, control
    r = browser.post(f"/app/action-items/{item.id}/checklist", {
        "entry_id": str(entry.id), "status": "notified", "version": str(entry.version), "csrf_token": token})
    assert r.status_code == 403
    assert session.scalar(select(ProgressUpdate).where(ProgressUpdate.action_item_id == item.id)) is None


def test_a_lead_waives_nudges_and_pushes(browser: Browser, session: Session) -> None:
    world = build_world(session)
    item = world["item"]
    token = browser.sign_in_as(world["lead"])
    page = browser.get(f"/app/action-items/{item.id}").text
    assert "Waive the rest of the checklist" in page and "Nudge the owner now" in page and "Push to a ticket" in page
    r = browser.post(f"/app/action-items/{item.id}/waivers", {
        "what": "checklist", "reason": "customer left", "version": str(item.version), "csrf_token": token})
    assert r.status_code == 303
    session.refresh(item)
    assert item.checklist_waived_reason == "customer left"
    r = browser.post(f"/app/action-items/{item.id}/nudges", {"csrf_token": token})
    assert r.status_code == 303
    assert session.scalar(select(Nudge).where(Nudge.action_item_id == item.id)) is not None
    assert "No nudges sent yet" not in browser.get(f"/app/action-items/{item.id}").text
    r = browser.post(f"/app/action-items/{item.id}/ticket", {"csrf_token": token})
    assert r.status_code == 422 and "has no ticket target" in r.text  # said on the page, not a JSON error


def test_an_owner_cannot_waive_push_or_nudge(browser: Browser, session: Session) -> None:
    world = build_world(session)
    item = world["item"]
    token = browser.sign_in_as(world["owner"])
    for path, data in (("waivers", {"what": "checklist", "reason": "x", "version": str(item.version)}),
                       ("ticket", {}), ("ticket/resume", {}), ("nudges", {})):
        r = browser.post(f"/app/action-items/{item.id}/{path}", {**data, "csrf_token": token})
        assert r.status_code == 403, path


def test_a_lead_resumes_a_broken_link(browser: Browser, session: Session) -> None:
    world = build_world(session)
    item = world["item"]
    target = TicketTarget(name="Billing Jira", kind=TargetKind.jira, connection="jira", project="BILL",
                          issue_type="Task", mapping={})
    session.add(target)
    session.flush()
    session.add(TicketLink(action_item_id=item.id, target_id=target.id, state=LinkState.broken,
                           broken_reason="the project was archived", broken_at=utcnow(), marker="m-1",
                           remote_key="BILL-9", remote_url="javascript:alert(1)", snapshot={}, dirty_fields=[]))
    session.commit()
    token = browser.sign_in_as(world["lead"])
    page = browser.get(f"/app/action-items/{item.id}").text
    assert "Ticket link broken" in page and "the project was archived" in page and "Resume syncing" in page
    assert "javascript:" not in page  # a ticket URL that is not http(s) is never a link
    r = browser.post(f"/app/action-items/{item.id}/ticket/resume", {"csrf_token": token})
    assert r.status_code == 303
    link = session.scalars(select(TicketLink).where(TicketLink.action_item_id == item.id)).one()
    session.refresh(link)
    assert link.state is LinkState.linked


def test_done_after_the_checklist_is_closed(browser: Browser, session: Session) -> None:
    world = build_world(session)
    item, entry = world["item"], world["entry"]
    for to in (Phase.implementing, Phase.closing_loop):
        service.change_phase(session, actor=world["lead"], item_id=item.id, to=to, expected_version=item.version)
    session.commit()
    token = browser.sign_in_as(world["owner"])
    assert "Not yet: checklist unfinished" in browser.get(f"/app/action-items/{item.id}").text
    browser.post(f"/app/action-items/{item.id}/checklist", {
        "entry_id": str(entry.id), "status": "acknowledged", "version": str(entry.version), "csrf_token": token})
    session.expire_all()
    assert session.get(ChecklistEntry, entry.id).status is NotificationStatus.acknowledged  # type: ignore[union-attr]
    assert "Mark done" in browser.get(f"/app/action-items/{item.id}").text
