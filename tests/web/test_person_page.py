"""An admin's page for one person: profile, role, timezone and the tools' identities, through the
same service as PATCH /people/{id}; and finding the person's Slack user by e-mail (emulator)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from integrations.slack.emulator import SlackEmulator
from tests import factories
from tests.web.conftest import Browser
from tracker.activity.models import ActivityEntry
from tracker.app import create_app
from tracker.config import Settings, SlackSettings
from tracker.people.models import Person, Role

XSS = "<script>alert(1)</script>"


def _form(person: Person, **changes: str) -> dict[str, str]:
    values = {"name": person.name, "role": person.role.value, "timezone": person.timezone, "active": "true",
              "slack_user_id": person.slack_user_id or "", "jira_account_id": person.jira_account_id or "",
              "github_login": person.github_login or "", "version": str(person.version)}
    return {**values, **changes}


def _fresh(session: Session, person: Person) -> Person:
    session.expire_all()
    found = session.get(Person, person.id)
    assert found is not None
    return found


def test_admin_edits_profile_and_identities(browser: Browser, session: Session) -> None:
    admin = factories.person(session, Role.admin)
    owner = factories.person(session, Role.owner, name="Ana " + XSS)
    session.commit()
    token = browser.sign_in_as(admin)
    page = browser.get(f"/app/people/{owner.id}")
    assert page.status_code == 200 and XSS not in page.text and 'list="zones"' in page.text
    reply = browser.post(f"/app/people/{owner.id}", {**_form(owner, timezone="Asia/Tokyo", slack_user_id="U0ANA",
                                                            github_login="ana-s"), "csrf_token": token})
    assert reply.status_code == 200 and "saved" in reply.text
    saved = _fresh(session, owner)
    assert (saved.timezone, saved.slack_user_id, saved.github_login) == ("Asia/Tokyo", "U0ANA", "ana-s")
    assert saved.version == 2
    entry = session.scalars(select(ActivityEntry).where(ActivityEntry.entity_type == "person",
                                                        ActivityEntry.action == "updated")).one()
    assert entry.source == "web" and entry.changes["slack_user_id"] == {"from": None, "to": "U0ANA"}
    # An empty identity clears it.
    browser.post(f"/app/people/{owner.id}", {**_form(saved, github_login=""), "csrf_token": token})
    assert _fresh(session, owner).github_login is None


def test_an_identity_someone_holds_is_refused_naming_them(browser: Browser, session: Session) -> None:
    admin = factories.person(session, Role.admin)
    holder = factories.person(session, Role.owner, name="Ben Holder", slack_user_id="U0TAKEN")
    owner = factories.person(session, Role.owner)
    session.commit()
    token = browser.sign_in_as(admin)
    reply = browser.post(f"/app/people/{owner.id}", {**_form(owner, slack_user_id="U0TAKEN", name="Renamed"),
                                                     "csrf_token": token})
    assert reply.status_code == 409
    field = reply.text.split('id="f-slack_user_id-error"')[1].split("</p>")[0]
    assert "already held by Ben Holder" in field and f"person {holder.id}" in field
    assert 'value="U0TAKEN"' in reply.text  # what was typed stays in the form
    assert _fresh(session, owner).name != "Renamed"  # nothing half-saved


def test_bad_values_are_named_on_their_fields(browser: Browser, session: Session) -> None:
    admin = factories.person(session, Role.admin)
    owner = factories.person(session, Role.owner)
    session.commit()
    token = browser.sign_in_as(admin)
    reply = browser.post(f"/app/people/{owner.id}", {**_form(owner, slack_user_id="u-lower", timezone="Mars/Base"),
                                                     "csrf_token": token})
    assert reply.status_code == 422
    assert 'id="f-slack_user_id-error"' in reply.text and 'id="f-timezone-error"' in reply.text
    assert "unknown timezone" in reply.text


def test_the_last_admin_cannot_step_down_and_stale_edits_change_nothing(browser: Browser, session: Session) -> None:
    admin = factories.person(session, Role.admin)
    session.execute(Person.__table__.update().where(Person.role == Role.admin, Person.id != admin.id)
                    .values(active=False))
    session.commit()
    token = browser.sign_in_as(admin)
    reply = browser.post(f"/app/people/{admin.id}", {**_form(admin, role="lead"), "csrf_token": token})
    assert reply.status_code == 409 and "last active admin" in reply.text
    assert _fresh(session, admin).role is Role.admin

    owner = factories.person(session, Role.owner)
    session.commit()
    stale = _form(owner, name="First")
    assert browser.post(f"/app/people/{owner.id}", {**stale, "csrf_token": token}).status_code == 200
    second = browser.post(f"/app/people/{owner.id}", {**stale, "name": "Second", "csrf_token": token})
    assert second.status_code == 409 and "Nothing was changed" in second.text
    assert _fresh(session, owner).name == "First"


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    emulator = SlackEmulator(bot_token="xoxb-people", signing_secret="people-secret", time_scale=0.01)
    with emulator:
        yield emulator


def test_find_in_slack_fills_the_id_without_saving(
    database, session: Session, session_factory: sessionmaker[Session], slack: SlackEmulator,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    admin = factories.person(session, Role.admin)
    owner = factories.person(session, Role.owner, email="nadia@example.com")
    stranger = factories.person(session, Role.owner, email="nobody-in-slack@example.com")
    session.commit()
    known = slack.add_user("nadia", email="nadia@example.com")
    app_slack = SlackSettings(bot_token=SecretStr("xoxb-people"), signing_secret=SecretStr("people-secret"),
                              base_url=slack.url + "/api/")
    settings = Settings(database_url=database.url, base_url="http://tracker.test", slack=app_slack)
    with TestClient(create_app(settings, session_factory=session_factory), raise_server_exceptions=False) as client:
        browser = Browser(client, session)
        token = browser.sign_in_as(admin)
        found = browser.post(f"/app/people/{owner.id}/slack-lookup", {"csrf_token": token})
        assert found.status_code == 200 and f'value="{known.id}"' in found.text
        assert f"Slack knows nadia@example.com as {known.id}" in found.text
        assert _fresh(session, owner).slack_user_id is None  # shown, not saved
        missing = browser.post(f"/app/people/{stranger.id}/slack-lookup", {"csrf_token": token})
        assert missing.status_code == 200 and "No Slack user has the e-mail address" in missing.text
    assert slack.request_counts["users.lookupByEmail"] == 2
