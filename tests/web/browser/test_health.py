"""Integration health in a real browser: a ticket sync gives up while the Jira emulator fails,
a lead finds it on the page and retries it by keyboard, and the real worker (in this process,
as `tracker worker` would run it) creates the ticket in the emulator. axe-core, keyboard use,
and screenshots at desktop and phone width; a viewer is refused."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from integrations.emulation import Fault, FaultPlan
from tests.sync.harness import Vendor, fast_factory, make_vendor
from tests.web.browser.conftest import PASSWORD, Watch, axe_violations, screenshots, sign_in, uvicorn_app
from tracker.actions import service
from tracker.auth.passwords import set_password
from tracker.config import Settings
from tracker.db import make_engine, make_session_factory, transaction
from tracker.migrations import upgrade
from tracker.outbox.models import OutboxMessage, OutboxState
from tracker.people.models import Person, Role, Team
from tracker.sync import service as sync
from tracker.sync.models import LinkState, TargetKind, TicketLink, TicketTarget
from tracker.worker.main import build_worker
from tracker.worker.runner import Worker

LEAD = "maya.okafor@example.com"
VIEWER = "grace.liu@example.com"
TITLE = "Show plan names instead of plan codes on invoices"


@dataclass
class Stage:
    url: str
    database_url: str
    item_id: int
    message_id: int
    worker: Worker
    jira: Vendor


def _connection_env(jira: Vendor) -> dict[str, str]:
    """The Jira connection as the server reads it from its environment (the page lists it)."""
    conf = jira.connection_settings()
    prefix = f"TRACKER_CONNECTIONS__{jira.connection_name.upper()}__"
    env = {"KIND": conf.kind, "URL": conf.url, "USER": conf.user or "", "TOKEN": conf.token.get_secret_value()}
    return {prefix + k: v for k, v in env.items()}


def _seed(database_url: str, jira: Vendor) -> int:
    """A lead and a viewer who sign in, an owner known to Jira, a team pushing to the Jira
    project, and an item pushed to a ticket (its creation queued)."""
    engine = make_engine(database_url)
    with transaction(make_session_factory(engine)) as session:
        lead = Person(name="Maya Okafor", email=LEAD, role=Role.lead)
        viewer = Person(name="Grace Liu", email=VIEWER, role=Role.viewer)
        owner = Person(name="Ana Silva", email="ana.silva@example.com", role=Role.owner,
                       jira_account_id=jira.owner_identity)
        target = TicketTarget(name="Billing Jira", kind=TargetKind.jira, connection=jira.connection_name,
                              project=jira.project, mapping={})
        session.add_all([lead, viewer, owner, target])
        session.flush()
        team = Team(name="Billing Operations", department="billing", lead_id=lead.id, ticket_target_id=target.id)
        session.add(team)
        session.flush()
        for person in (lead, viewer):
            set_password(session, person=person, password=PASSWORD)
        item = service.create_action_item(session, actor=lead, data={
            "title": TITLE, "owner_id": owner.id, "team_id": team.id, "deadline": date.today() + timedelta(days=10)})
        sync.promote_item(session, actor=lead, item_id=item.id)
        item_id = item.id
    engine.dispose()
    return item_id


def _give_up(worker: Worker, database_url: str) -> int:
    """Every attempt meets a 5xx (backoffs are milliseconds here) until the worker gives up;
    returns the given-up message's id."""
    engine = make_engine(database_url)
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            worker.run_until_idle()
            with transaction(make_session_factory(engine)) as session:
                message = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "ticket.sync")).one()
                if message.state is OutboxState.dead:
                    return message.id
            time.sleep(0.05)
    finally:
        engine.dispose()
    raise AssertionError("the ticket sync was not given up")


@pytest.fixture
def stage(tmp_path: Path) -> Iterator[Stage]:
    database_url = f"sqlite:///{tmp_path / 'health.db'}"
    upgrade(database_url)
    jira = make_vendor("jira")
    engine = make_engine(database_url)
    try:
        with uvicorn_app(database_url, tmp_path, _connection_env(jira)) as url:
            settings = Settings(database_url=database_url, base_url=url, outbox_backoff_scale=0.001,
                                connections={jira.connection_name: jira.connection_settings()})
            worker = build_worker(settings, make_session_factory(engine), factory=fast_factory, worker_id="health")
            worker.max_attempts = 2
            item_id = _seed(database_url, jira)
            jira.emulator.faults = FaultPlan(rate=1.0, kinds=(Fault.SERVER_ERROR,))
            message_id = _give_up(worker, database_url)
            yield Stage(url, database_url, item_id, message_id, worker, jira)
    finally:
        engine.dispose()
        jira.emulator.stop()


def _link(stage: Stage) -> TicketLink:
    engine = make_engine(stage.database_url)
    with transaction(make_session_factory(engine)) as session:
        link = session.scalars(select(TicketLink).where(TicketLink.action_item_id == stage.item_id)).one()
        session.expunge(link)
    engine.dispose()
    return link


def _focused_row(page: Page) -> str:
    return str(page.evaluate("(document.activeElement && document.activeElement.closest('tr')) ? "
                             "document.activeElement.closest('tr').id + ':' + document.activeElement.tagName : ''"))


def _tab_to_row_button(page: Page, row: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if _focused_row(page) == f"{row}:BUTTON":
            return
    raise AssertionError(f"the button of {row} is not reachable with Tab")


def test_a_lead_retries_a_given_up_sync_and_it_reaches_jira(chromium: Browser, stage: Stage) -> None:
    assert _link(stage).state is LinkState.broken and stage.jira.tickets() == []
    context = chromium.new_context(base_url=stage.url, viewport={"width": 1280, "height": 900})
    watch = Watch(stage.url)
    context.on("page", watch.attach)
    page = context.new_page()
    page.goto("/")
    sign_in(page, LEAD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Integrations").click()
    expect(page.locator("h1")).to_have_text("Integration health")
    card = page.locator(".health-card", has_text=stage.jira.connection_name)
    expect(card).to_contain_text("Needs attention")
    expect(card).to_contain_text("1 message(s) given up")
    expect(card).to_contain_text("1 broken ticket link(s)")
    row = page.locator(f"#message-{stage.message_id}")
    expect(row).to_contain_text("Ticket sync")
    expect(row).to_contain_text("gave up after 2 attempts")
    expect(page.locator(f"#link-{stage.item_id}")).to_contain_text(TITLE)
    assert stage.jira.connection_settings().token.get_secret_value() not in page.content()
    assert axe_violations(page) == []
    screenshots(page, "health-given-up")

    stage.jira.emulator.faults = FaultPlan()  # Jira is back
    _tab_to_row_button(page, f"message-{stage.message_id}")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("1 message back in the queue")
    expect(page.locator("#given-up")).to_contain_text("Nothing given up.")
    assert _link(stage).state is LinkState.pending  # un-broken with the retry, as resume does (no ticket yet)

    stage.worker.run_until_idle()  # what `tracker worker` does next
    [ticket] = stage.jira.tickets()
    assert ticket["title"] == TITLE and _link(stage).remote_key == ticket["key"]
    page.reload()
    expect(card).to_contain_text("Working")
    expect(card).not_to_contain_text("Last successful delivery never")
    expect(page.locator("#broken-links")).to_contain_text("No broken ticket links.")
    assert axe_violations(page) == []
    screenshots(page, "health-recovered")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing scrolls sideways
    context.close()
    assert not watch.foreign and not [e for e in watch.errors if "status of 4" not in e]


def test_a_viewer_is_refused(chromium: Browser, stage: Stage) -> None:
    context = chromium.new_context(base_url=stage.url)
    page = context.new_page()
    page.goto("/")
    sign_in(page, VIEWER)
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Integrations")).to_have_count(0)
    response = page.goto("/app/health")
    assert response is not None and response.status == 403
    expect(page.locator("main")).to_contain_text("lead or admin")
    assert axe_violations(page) == []
    context.close()
