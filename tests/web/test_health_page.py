"""The integration health page: every connection's figures, given-up messages retried one by
one or all at once, broken links resumed or recreated; refused by the server for owners and
viewers and without the CSRF token, whatever the page shows."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import Database
from tests.factories.health import GITHUB, JIRA, SECRET, TOKEN, HealthWorld, health_settings
from tests.web.conftest import Browser
from tracker.activity.models import ActivityEntry
from tracker.config import Settings
from tracker.outbox.models import OutboxMessage, OutboxState
from tracker.people.models import Role
from tracker.sync.models import LinkState
from tracker.sync.service import link_for
from tracker.types import utcnow

PAGE = "/app/health"


@pytest.fixture
def settings(database: Database) -> Settings:
    return health_settings(database.url)


@pytest.fixture
def world(session: Session) -> HealthWorld:
    return HealthWorld.build(session, utcnow())


def _text(page: str) -> str:
    """The page's words, tags dropped and whitespace folded, for assertions on what a person reads."""
    words = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))
    return re.sub(r"\( ", "(", re.sub(r" ([;:.,)])", r"\1", words))


def _state(session: Session, message_id: int) -> OutboxState:
    session.expire_all()
    message = session.get(OutboxMessage, message_id)
    assert message is not None
    return message.state


def test_a_lead_sees_every_connection_and_what_needs_a_person(browser: Browser, world: HealthWorld) -> None:
    browser.sign_in_as(world.lead)
    page = browser.get(PAGE)
    assert page.status_code == 200, page.text[:500]
    words = _text(page.text)
    for said in (f"{JIRA} Jira Needs attention", "https://acme.atlassian.example",
                 "Backlog 3 waiting, the oldest queued 30 min ago", "Waiting to retry 1", "Given up 1",
                 "Broken ticket links 1", "Webhooks, last 24 h 2 received (1 our own changes, 1 applied); "
                 "4 refused (bad signature). Last received 60 min ago.",
                 "Billing Jira (BILL): last ran 4 min ago; watermark 2026-12-01T08:00:00Z",
                 f"{GITHUB} Github Needs attention", "Not configured in this process's environment",
                 "slack Slack Needs attention", "Last successful delivery never",
                 "Given up (2)", "Retry all 2", "Waiting to retry (1)", "Broken ticket links (1)",
                 "jira BILL: 429 Too Many Requests (Retry-After 90)", "Fix the VAT line"):
        assert said in words, said
    assert words.index("Slack reminder #") < words.index("Ticket sync #")  # newest given up first
    for secret in (TOKEN, SECRET, "inline-password", "xoxb-never-show"):
        assert secret not in page.text
    assert 'href="/app/health"' in page.text  # the menu entry


def test_a_quiet_programme_says_so(browser: Browser, session: Session) -> None:
    browser.sign_in_as(factories.person(session, Role.admin))
    words = _text(browser.get(PAGE).text)
    assert f"{JIRA} Jira Working" in words and "slack Slack Working" in words
    for empty in ("Nothing given up.", "Nothing is waiting for a retry.", "No broken ticket links."):
        assert empty in words


@pytest.mark.parametrize("role", [Role.owner, Role.viewer])
def test_owners_and_viewers_are_refused_the_page_and_its_menu_entry(browser: Browser, session: Session,
                                                                     role: Role) -> None:
    browser.sign_in_as(factories.person(session, role))
    assert browser.get(PAGE).status_code == 403
    assert 'href="/app/health"' not in browser.get("/app/account").text


def test_retry_one_puts_it_back_and_the_page_says_so(browser: Browser, session: Session,
                                                     world: HealthWorld) -> None:
    token = browser.sign_in_as(world.lead)
    r = browser.post(f"{PAGE}/retry", {"message_id": str(world.dead_sync.id), "csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == f"{PAGE}?retried=1#given-up"
    assert _state(session, world.dead_sync.id) is OutboxState.pending
    assert _state(session, world.dead_nudge.id) is OutboxState.dead
    link = link_for(session, world.broken.id)
    assert link is not None and link.state is LinkState.linked  # un-broken, as resume does
    entry = session.scalar(select(ActivityEntry).where(ActivityEntry.action == "retried"))
    assert entry is not None and entry.actor_id == world.lead.id and entry.entity_id == world.dead_sync.id
    words = _text(browser.get(r.headers["location"]).text)
    assert "1 message back in the queue: the worker delivers it shortly." in words
    assert "Given up (1)" in words


def test_retry_all(browser: Browser, session: Session, world: HealthWorld) -> None:
    token = browser.sign_in_as(world.lead)
    r = browser.post(f"{PAGE}/retry-all", {"csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == f"{PAGE}?retried=2&left=0#given-up"
    assert {_state(session, m.id) for m in (world.dead_sync, world.dead_nudge)} == {OutboxState.pending}
    assert "2 messages back in the queue" in _text(browser.get(r.headers["location"]).text)


@pytest.mark.parametrize(("message_id", "status", "said"), [
    ("waiting", 409, "is pending, not given up: there is nothing to retry"),
    ("2147483000", 404, "outbox message 2147483000"),
    ("abc", 422, "message id:"),
    ("2147483648", 422, "message id:"),
])
def test_a_refused_retry_says_why_and_changes_nothing(browser: Browser, session: Session, world: HealthWorld,
                                                      message_id: str, status: int, said: str) -> None:
    token = browser.sign_in_as(world.lead)
    sent = str(world.waiting.id) if message_id == "waiting" else message_id
    r = browser.post(f"{PAGE}/retry", {"message_id": sent, "csrf_token": token})
    assert r.status_code == status, r.text[:400]
    assert "Nothing was changed" in r.text and said in _text(r.text)
    assert _state(session, world.dead_sync.id) is OutboxState.dead


@pytest.mark.parametrize("role", [Role.owner, Role.viewer])
def test_the_server_refuses_owners_and_viewers(browser: Browser, session: Session, world: HealthWorld,
                                               role: Role) -> None:
    token = browser.sign_in_as(factories.person(session, role))
    for path, data in ((f"{PAGE}/retry", {"message_id": str(world.dead_sync.id)}), (f"{PAGE}/retry-all", {}),
                       (f"{PAGE}/links/{world.broken.id}/resume", {"recreate": "true"})):
        assert browser.post(path, {**data, "csrf_token": token}).status_code == 403, path
    assert _state(session, world.dead_sync.id) is OutboxState.dead
    link = link_for(session, world.broken.id)
    assert link is not None and link.state is LinkState.broken


def test_every_action_needs_the_csrf_token(browser: Browser, session: Session, world: HealthWorld) -> None:
    browser.sign_in_as(world.lead)
    for path, data in ((f"{PAGE}/retry", {"message_id": str(world.dead_sync.id)}), (f"{PAGE}/retry-all", {}),
                       (f"{PAGE}/links/{world.broken.id}/resume", {}),
                       (f"{PAGE}/retry", {"message_id": str(world.dead_sync.id), "csrf_token": "forged"})):
        r = browser.post(path, data)
        assert r.status_code == 403 and "security token" in r.text, path
    assert _state(session, world.dead_sync.id) is OutboxState.dead


def test_a_broken_link_is_recreated_then_cannot_be_resumed_twice(browser: Browser, session: Session,
                                                                 world: HealthWorld) -> None:
    token = browser.sign_in_as(world.lead)
    r = browser.post(f"{PAGE}/links/{world.broken.id}/resume", {"recreate": "true", "csrf_token": token})
    assert r.status_code == 303
    assert r.headers["location"] == f"{PAGE}?resumed={world.broken.id}&recreated=true#broken-links"
    session.expire_all()
    link = link_for(session, world.broken.id)
    assert link is not None and (link.state, link.remote_key) == (LinkState.pending, None)
    assert f"Action item {world.broken.id} gets a new ticket" in _text(browser.get(r.headers["location"]).text)
    again = browser.post(f"{PAGE}/links/{world.broken.id}/resume", {"recreate": "false", "csrf_token": token})
    assert again.status_code == 409 and "is not broken (pending)" in _text(again.text)


def test_vendor_text_is_shown_as_text(browser: Browser, session: Session, world: HealthWorld) -> None:
    """Errors and URLs come from vendors: escaped, and a link only when it is http(s)."""
    world.dead_sync.last_error = '<script>alert("jira")</script>'
    link = link_for(session, world.broken.id)
    assert link is not None
    link.remote_url, link.broken_reason = "javascript:alert(1)", "<img src=x onerror=alert(2)>"
    session.commit()
    browser.sign_in_as(world.lead)
    page = browser.get(PAGE).text
    assert "&lt;script&gt;alert(&#34;jira&#34;)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page and "<img src=x" not in page
    assert "javascript:" not in page
