"""Signing in and out: passwords, sessions, cookies, lock-out, and where the browser lands."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from tests.web.conftest import Browser, csrf_of
from tracker.app import create_app
from tracker.auth import throttle
from tracker.auth.models import WebSession
from tracker.auth.passwords import set_password
from tracker.config import Settings
from tracker.people.models import Role
from tracker.types import utcnow
from tracker.web.paths import safe_next

PASSWORD = "a long enough password"


def _sign_in(browser: Browser, email: str, password: str, next_path: str = "/") -> object:
    token = csrf_of(browser.get("/sign-in"))
    return browser.post("/sign-in", {"email": email, "password": password, "next": next_path,
                                     "csrf_token": token})


def test_home_shows_sign_in_until_signed_in_then_the_programme(browser: Browser, session: Session) -> None:
    lead = factories.person(session, Role.lead, email="lead@example.com")
    set_password(session, person=lead, password=PASSWORD)
    session.commit()
    page = browser.get("/")
    assert page.status_code == 200 and "<h1>Sign in</h1>" in page.text
    r = _sign_in(browser, "LEAD@example.com", PASSWORD)
    assert r.status_code == 303 and r.headers["location"] == "/"  # type: ignore[attr-defined]
    cookie = r.headers["set-cookie"]  # type: ignore[attr-defined]
    assert "tracker_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http here: a Secure cookie would never come back
    home = browser.get("/")
    assert "Programme home" in home.text and lead.name in home.text
    # The last weeks drawn as a picture, with the table as its text alternative.
    assert 'role="img" class="chart weekly' in home.text
    assert "Items done" in home.text


def test_cookie_is_secure_when_the_public_url_is_https(settings: Settings, session_factory, session: Session) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings.model_copy(update={"base_url": "https://tracker.example.com"}),
                     session_factory=session_factory)
    person = factories.person(session, Role.owner, email="o@example.com")
    set_password(session, person=person, password=PASSWORD)
    session.commit()
    # The browser talks https to the proxy in front of us; Secure cookies come back over it.
    with TestClient(app, base_url="https://tracker.example.com") as client:
        r = _sign_in(Browser(client, session), "o@example.com", PASSWORD)
    assert r.status_code == 303  # type: ignore[attr-defined]
    assert "Secure" in r.headers["set-cookie"]  # type: ignore[attr-defined]


def test_wrong_password_and_unknown_email_get_the_same_answer(browser: Browser, session: Session) -> None:
    person = factories.person(session, Role.owner, email="known@example.com")
    set_password(session, person=person, password=PASSWORD)
    session.commit()
    wrong = _sign_in(browser, "known@example.com", "not the password")
    unknown = _sign_in(browser, "nobody@example.com", "not the password")
    for r in (wrong, unknown):
        assert r.status_code == 401  # type: ignore[attr-defined]
        assert "do not match an account" in r.text  # type: ignore[attr-defined]
        assert "set-cookie" not in r.headers or "tracker_session" not in r.headers["set-cookie"]  # type: ignore[attr-defined]


def test_repeated_failures_slow_down_then_lock_out_without_telling_who_exists(
        browser: Browser, session: Session) -> None:
    person = factories.person(session, Role.owner, email="target@example.com")
    set_password(session, person=person, password=PASSWORD)
    session.commit()
    for email in ("target@example.com", "ghost@example.com"):
        statuses = [_sign_in(browser, email, f"guess {n}").status_code for n in range(4)]  # type: ignore[attr-defined]
        assert statuses[:3] == [401, 401, 429], email  # the third failure starts the waiting
        r = _sign_in(browser, email, PASSWORD)
        assert r.status_code == 429 and "Try again in" in r.text, email  # type: ignore[attr-defined]
        assert int(r.headers["retry-after"]) >= 1  # type: ignore[attr-defined]


def test_throttle_doubles_the_wait_then_locks_and_forgets() -> None:
    keys = {"email:a@example.com": throttle.ACCOUNT}
    row = throttle.SignInThrottle(key="email:a@example.com", failures=0, first_failed_at=utcnow(),
                                  last_failed_at=utcnow())
    now = utcnow()
    waits = []
    for failures in range(1, 11):
        row.failures, row.last_failed_at = failures, now
        row.locked_until = now + throttle.ACCOUNT.lock_for if failures >= throttle.ACCOUNT.lock_after else None
        waits.append(throttle.wait_for(row, keys[row.key], now))
    assert waits[:2] == [timedelta(0)] * 2
    assert waits[2:5] == [timedelta(seconds=1), timedelta(seconds=2), timedelta(seconds=4)]
    assert waits[8] == timedelta(minutes=1)  # capped
    assert waits[9] == timedelta(minutes=15)  # locked
    assert throttle.wait_for(row, keys[row.key], now + timedelta(hours=2)) == timedelta(0)


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example", "/\\evil.example",
                                    "javascript:alert(1)", "", "evil.example", "/ok\r\nSet-Cookie: x"])
def test_next_is_never_an_open_redirect(target: str) -> None:
    assert safe_next(target) == "/"


def test_next_keeps_local_paths() -> None:
    assert safe_next("/app/action-items/7?tab=x") == "/app/action-items/7?tab=x"


def test_sign_out_ends_the_session_server_side(browser: Browser, session: Session) -> None:
    person = factories.person(session, Role.lead)
    token = browser.sign_in_as(person)
    cookie = browser.client.cookies.get("tracker_session")
    r = browser.post("/sign-out", {"csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/sign-in"
    browser.client.cookies.set("tracker_session", cookie or "")  # a stolen copy of the cookie
    assert "<h1>Sign in</h1>" in browser.get("/").text
    session.expire_all()
    assert session.scalars(select(WebSession).where(WebSession.person_id == person.id)).one().revoked_at


def test_changing_the_password_ends_the_other_sessions(browser: Browser, session: Session,
                                                       client: TestClient) -> None:
    person = factories.person(session, Role.owner, email="me@example.com")
    set_password(session, person=person, password=PASSWORD)
    other = Browser(TestClient(client.app), session)
    other.sign_in_as(person)
    token = browser.sign_in_as(person)
    r = browser.post("/app/account/password", {"current": PASSWORD, "password": "a brand new passphrase",
                                               "confirm": "a brand new passphrase", "csrf_token": token})
    assert r.status_code == 303, r.text
    assert "Password changed" in browser.get(r.headers["location"]).text  # this browser stays in
    assert "<h1>Sign in</h1>" in other.get("/").text  # the other one is out
    wrong = browser.post("/app/account/password", {"current": "nope", "password": "x" * 12, "confirm": "x" * 12,
                                                   "csrf_token": token})
    assert wrong.status_code == 422 and "not your current password" in wrong.text


def test_a_deactivated_person_is_signed_out(browser: Browser, session: Session) -> None:
    person = factories.person(session, Role.lead)
    browser.sign_in_as(person)
    person.active = False
    session.commit()
    assert "<h1>Sign in</h1>" in browser.get("/").text


def test_guessing_the_current_password_is_throttled_like_sign_in(browser: Browser, session: Session) -> None:
    person = factories.person(session, Role.owner, email="guess@example.com")
    set_password(session, person=person, password=PASSWORD)
    token = browser.sign_in_as(person)
    form = {"password": "a brand new passphrase", "confirm": "a brand new passphrase", "csrf_token": token}
    statuses = [browser.post("/app/account/password", {**form, "current": f"guess {n}"}).status_code
                for n in range(4)]
    assert statuses == [422, 422, 422, 429]  # the third failure starts the waiting


def test_ended_sessions_are_pruned_at_the_next_sign_in(session: Session) -> None:
    from tracker.auth.sessions import KEEP_ENDED, start_session

    person = factories.person(session, Role.owner)
    old, _ = start_session(session, person=person)
    old_hash = old.token_hash
    old.expires_at = utcnow() - KEEP_ENDED - timedelta(days=1)
    session.flush()
    new, _ = start_session(session, person=person)
    session.expire_all()
    hashes = session.scalars(select(WebSession.token_hash).where(WebSession.person_id == person.id)).all()
    assert hashes == [new.token_hash] and old_hash not in hashes


def test_a_person_sees_their_browsers_and_signs_the_others_out(browser: Browser, session: Session,
                                                               client: TestClient) -> None:
    person = factories.person(session, Role.owner)
    other = Browser(TestClient(client.app), session)
    other.sign_in_as(person)
    token = browser.sign_in_as(person)
    page = browser.get("/app/account").text
    assert page.count("<tr><td>") == 2 and "This browser" in page
    r = browser.post("/app/account/sessions/end-others", {"csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/app/account?ended=1"
    assert "1 other browser signed out" in browser.get(r.headers["location"]).text
    assert "<h1>Sign in</h1>" in other.get("/").text


def test_last_seen_is_recorded_on_reads_and_writes(browser: Browser, session: Session) -> None:
    world_lead = factories.person(session, Role.lead)
    token = browser.sign_in_as(world_lead)
    web = session.scalars(select(WebSession).where(WebSession.person_id == world_lead.id)).one()
    for method in ("GET", "POST"):
        web.last_seen_at = utcnow() - timedelta(hours=1)
        session.commit()
        if method == "GET":
            assert browser.get("/app/account").status_code == 200
        else:
            r = browser.post("/app/account/sessions/end-others", {"csrf_token": token})
            assert r.status_code == 303
        session.refresh(web)
        assert utcnow() - web.last_seen_at < timedelta(minutes=1), method
