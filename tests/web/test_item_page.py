"""The action item's page: what each role sees, phase moves through the service, stale edits."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from tests import factories
from tests.factories.programme import build_world
from tests.web.conftest import Browser
from tracker.actions import service
from tracker.actions.models import Phase
from tracker.people.models import Role

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _move(browser: Browser, item_id: int, to: str, version: int, token: str, **extra: str) -> object:
    return browser.post(f"/app/action-items/{item_id}/phase",
                        {"to": to, "version": str(version), "csrf_token": token, **extra})


def test_owner_sees_the_item_and_moves_it(browser: Browser, session: Session) -> None:
    world = build_world(session)
    item = world["item"]
    token = browser.sign_in_as(world["owner"])
    page = browser.get(f"/app/action-items/{item.id}")
    assert page.status_code == 200
    for text in (item.title, world["owner"].name, world["team"].name, "Move to implementing", "Activity"):
        assert text in page.text
    assert "Cancel the item" not in page.text  # a lead's decision: not offered to the owner
    r = _move(browser, item.id, "implementing", item.version, token)
    assert r.status_code == 303 and r.headers["location"] == f"/app/action-items/{item.id}"  # type: ignore[attr-defined]
    session.refresh(item)
    assert item.phase is Phase.implementing
    after = browser.get(f"/app/action-items/{item.id}").text
    assert "implementing" in after and "phase changed" in after.lower()


def test_a_stale_move_shows_who_changed_what_and_applies_nothing(browser: Browser, session: Session) -> None:
    world = build_world(session)
    item, lead = world["item"], world["lead"]
    token = browser.sign_in_as(world["owner"])
    page = browser.get(f"/app/action-items/{item.id}").text
    seen = page.split('name="seen_activity" value="')[1].split('"')[0]
    shown_version = item.version
    service.change_phase(session, actor=lead, item_id=item.id, to=Phase.blocked, reason="waiting on legal",
                         expected_version=item.version)
    session.commit()
    r = _move(browser, item.id, "implementing", shown_version, token, seen_activity=seen)
    assert r.status_code == 409  # type: ignore[attr-defined]
    text = r.text  # type: ignore[attr-defined]
    assert "Someone changed this item" in text and lead.name in text
    assert "planned → blocked" in text and "waiting on legal" in text
    session.refresh(item)
    assert item.phase is Phase.blocked  # the lead's change stands; nothing was overwritten


def test_a_refused_move_says_why(browser: Browser, session: Session) -> None:
    world = build_world(session)
    item = world["item"]
    token = browser.sign_in_as(world["lead"])
    r = _move(browser, item.id, "done", item.version, token)
    assert r.status_code == 409 and "allowed=[implementing, blocked, cancelled]" in r.text  # type: ignore[attr-defined]
    r = _move(browser, item.id, "blocked", item.version, token)
    assert r.status_code == 422 and "reason is required" in r.text  # type: ignore[attr-defined]


def test_a_viewer_sees_no_controls_and_a_forged_post_is_refused(browser: Browser, session: Session) -> None:
    world = build_world(session)
    item = world["item"]
    viewer = factories.person(session, Role.viewer)
    token = browser.sign_in_as(viewer)
    page = browser.get(f"/app/action-items/{item.id}").text
    assert "Move to" not in page and "/phase" not in page and 'name="to"' not in page
    assert "Its owner or a lead can change it" in page
    r = _move(browser, item.id, "implementing", item.version, token)
    assert r.status_code == 403  # type: ignore[attr-defined]
    session.refresh(item)
    assert item.phase is Phase.planned


def test_another_owner_is_refused_too(browser: Browser, session: Session) -> None:
    world = build_world(session)
    item = world["item"]
    token = browser.sign_in_as(factories.person(session, Role.owner))
    assert "Move to" not in browser.get(f"/app/action-items/{item.id}").text
    assert _move(browser, item.id, "implementing", item.version, token).status_code == 403  # type: ignore[attr-defined]


def test_user_text_renders_inert(browser: Browser, session: Session) -> None:
    world = build_world(session)
    item = world["item"]
    item.title, item.description, item.work_plan = XSS, XSS, XSS
    item.deadline = date(2020, 1, 1)  # overdue: on the home page too, with its owner's name
    world["owner"].name = XSS
    session.commit()
    browser.sign_in_as(world["lead"])
    for url in (f"/app/action-items/{item.id}", "/"):
        text = browser.get(url).text
        assert "<script>alert" not in text and "<img src=x" not in text, url
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in text, url


def test_unknown_item_is_a_404_page(browser: Browser, session: Session) -> None:
    browser.sign_in_as(factories.person(session, Role.lead))
    r = browser.get("/app/action-items/999999")
    assert r.status_code == 404 and "action item 999999 not found" in r.text


def test_user_text_renders_inert_on_the_people_and_account_pages(browser: Browser, session: Session) -> None:
    from tracker.auth.sessions import start_session

    admin = factories.person(session, Role.admin, name=XSS)
    start_session(session, person=admin, user_agent=XSS)  # a browser's own User-Agent is caller text
    browser.sign_in_as(admin)
    for url in ("/app/people", "/app/account", "/"):
        text = browser.get(url).text
        assert "<script>alert" not in text and "<img src=x" not in text, url
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in text, url
