"""Invitations and resets: one-time links, shown once, expiring; the admin page and the CLI."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests import factories
from tests.web.conftest import Browser, csrf_of
from tracker.auth.links import find_link, issue_link
from tracker.people.models import Role
from tracker.people.service import find_by_email

LINK = re.compile(r'value="http://tracker\.test(/set-password/[A-Za-z0-9_-]+)"')


def test_admin_invites_a_person_who_sets_a_password_and_is_signed_in(browser: Browser, session: Session) -> None:
    token = browser.sign_in_as(factories.person(session, Role.admin))
    r = browser.post("/app/people", {"name": "Ines Duarte", "email": "ines@example.com", "role": "owner",
                                     "csrf_token": token})
    assert r.status_code == 201, r.text
    path = LINK.search(r.text).group(1)  # type: ignore[union-attr]
    assert "shown only now" in r.text
    assert path not in browser.get("/app/people").text  # never shown again

    browser.client.cookies.clear()
    form = browser.get(path)
    assert form.status_code == 200 and "Welcome, Ines Duarte" in form.text
    short = browser.post(path, {"password": "short", "confirm": "short", "csrf_token": csrf_of(form)})
    assert short.status_code == 422 and "at least 10 characters" in short.text
    differ = browser.post(path, {"password": "long enough one", "confirm": "long enough two",
                                 "csrf_token": csrf_of(form)})
    assert differ.status_code == 422 and "differ" in differ.text
    ok = browser.post(path, {"password": "ines's passphrase", "confirm": "ines's passphrase",
                             "csrf_token": csrf_of(form)})
    assert ok.status_code == 303 and ok.headers["location"] == "/"
    assert "Programme home" in browser.get("/").text
    assert browser.get(path).status_code == 404  # used once


def test_links_expire_and_a_new_one_voids_the_old(session: Session) -> None:
    person = factories.person(session, Role.owner)
    first, first_secret = issue_link(session, actor=None, person=person)
    _, second_secret = issue_link(session, actor=None, person=person)
    assert find_link(session, first_secret) is None
    found = find_link(session, second_secret)
    assert found is not None
    found[0].expires_at -= timedelta(days=4)
    assert find_link(session, second_secret) is None
    assert len(first.token_hash) == 64 and first_secret not in first.token_hash  # only the hash is kept


def test_only_admins_reach_the_people_page(browser: Browser, session: Session) -> None:
    token = browser.sign_in_as(factories.person(session, Role.lead))
    assert browser.get("/app/people").status_code == 403
    target = factories.person(session, Role.owner)
    session.commit()
    assert browser.post(f"/app/people/{target.id}/password-link", {"csrf_token": token}).status_code == 403


def test_admin_reset_link_for_someone_with_a_password(browser: Browser, session: Session) -> None:
    from tracker.auth.passwords import set_password

    target = factories.person(session, Role.owner, name="Olu Bello")
    set_password(session, person=target, password="an old password")
    olu = Browser(TestClient(browser.client.app), session)
    olu.sign_in_as(target)
    token = browser.sign_in_as(factories.person(session, Role.admin))
    r = browser.post(f"/app/people/{target.id}/password-link", {"csrf_token": token})
    assert r.status_code == 201 and "Password reset link for Olu Bello" in r.text
    assert "<h1>Sign in</h1>" in olu.get("/").text  # a reset signs the person out everywhere
    path = LINK.search(r.text).group(1)  # type: ignore[union-attr]
    browser.client.cookies.clear()
    assert "Set a new password" in browser.get(path).text


def test_invite_form_errors(browser: Browser, session: Session) -> None:
    token = browser.sign_in_as(factories.person(session, Role.admin, email="boss@example.com"))
    bad = browser.post("/app/people", {"name": "", "email": "nope", "role": "owner", "csrf_token": token})
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
    dup = browser.post("/app/people", {"name": "X", "email": "boss@example.com", "role": "owner", "csrf_token": token})
    assert dup.status_code == 422 and "already exists" in dup.text
    assert find_by_email(session, "nope") is None
