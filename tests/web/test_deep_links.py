"""Backlinks (`<base_url>/action-items/N`) opened in a browser land on the item's page, after
signing in if needed; scripts keep getting JSON."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from sqlalchemy.orm import Session

from tests import factories
from tests.factories.programme import build_world
from tests.web.conftest import HTML, Browser, csrf_of
from tracker.auth.passwords import set_password
from tracker.sync.render import ticket_body
from tracker.web.deeplinks import prefers_html


def test_accept_negotiation() -> None:
    assert prefers_html("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    assert not prefers_html("*/*")
    assert not prefers_html("application/json")
    assert not prefers_html("application/json, text/html;q=0.5")
    assert not prefers_html("")


def test_a_ticket_backlink_lands_on_the_item_after_sign_in(browser: Browser, session: Session) -> None:
    world = build_world(session)
    item, owner = world["item"], world["owner"]
    set_password(session, person=owner, password="the owner's password")
    session.commit()
    backlink = ticket_body(session, item, "http://testserver").splitlines()[-1].split()[-1]
    assert backlink == f"http://testserver/action-items/{item.id}"

    r = browser.get(backlink)
    assert r.status_code == 303 and r.headers["location"] == f"/app/action-items/{item.id}"
    r = browser.get(r.headers["location"])
    assert r.status_code == 303
    sign_in = r.headers["location"]
    assert urlsplit(sign_in).path == "/sign-in"
    next_path = parse_qs(urlsplit(sign_in).query)["next"][0]
    assert next_path == f"/app/action-items/{item.id}"
    form = browser.get(sign_in)
    assert f'name="next" value="{next_path}"' in form.text
    r = browser.post("/sign-in", {"email": owner.email, "password": "the owner's password", "next": next_path,
                                  "csrf_token": csrf_of(form)})
    assert r.status_code == 303 and r.headers["location"] == next_path
    page = browser.get(next_path)
    assert page.status_code == 200 and item.title in page.text


def test_scripts_and_token_holders_still_get_json(browser: Browser, session: Session) -> None:
    world = build_world(session)
    url = f"/action-items/{world['item'].id}"
    assert browser.client.get(url).status_code == 401  # Accept: */*
    headers = factories.auth_headers(session, world["lead"])
    r = browser.client.get(url, headers={**HTML, **headers})
    assert r.status_code == 200 and r.json()["id"] == world["item"].id


def test_api_paths_without_a_page_are_not_redirected(browser: Browser) -> None:
    r = browser.get("/ticket-targets")  # no page mirrors it: the API answers (401 without a token)
    assert r.status_code == 401


def test_the_activity_log_opens_its_page(browser: Browser) -> None:
    r = browser.get("/activity?source=web")
    assert r.status_code in (302, 303, 307) and r.headers["location"].startswith("/app/activity")
