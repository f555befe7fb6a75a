"""An owner finishes an item from My work in a real browser while its Slack reminder updates and
its Jira ticket follows: the app in uvicorn, the real worker (in this process, as `tracker worker`
would run it) delivering through slack-sdk to the Slack emulator and through the `jira` package
to the Jira emulator. The Slack emulator's own page shows the DM as the owner would see it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pydantic import SecretStr
from sqlalchemy import select

from integrations.slack.emulator import SlackEmulator
from tests.slack.conftest import SECRET, TOKEN
from tests.sync.harness import Vendor, fast_factory, make_vendor
from tests.web.browser.conftest import PASSWORD, Watch, axe_violations, screenshots, sign_in, uvicorn_app
from tracker.actions import service
from tracker.actions.models import ActionItem, Phase
from tracker.auth.passwords import set_password
from tracker.config import Settings, SlackSettings
from tracker.db import make_engine, make_session_factory, transaction
from tracker.migrations import upgrade
from tracker.nudges.models import Nudge, NudgeKind, NudgeState
from tracker.outbox.service import enqueue
from tracker.people.models import Person, Role, Team
from tracker.slack.outbound import NUDGE_KIND
from tracker.sync import service as sync
from tracker.sync.models import TargetKind, TicketLink, TicketTarget
from tracker.worker.main import build_worker
from tracker.worker.runner import Worker

OWNER = "ana.silva@example.com"


@dataclass
class Stage:
    url: str
    database_url: str
    item_id: int
    ticket: str
    owner_slack_id: str
    worker: Worker
    slack: SlackEmulator
    jira: Vendor


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # slack-sdk (urllib) honours HTTP(S)_PROXY; loopback traffic must never go through one.
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "*")


def _seed(database_url: str, slack: SlackEmulator, jira: Vendor) -> tuple[int, str]:
    """A lead, an owner known to Slack and Jira, a team pushing to the Jira project, and an
    overdue item pushed to a ticket with a reminder waiting to be posted."""
    engine = make_engine(database_url)
    with transaction(make_session_factory(engine)) as session:
        user = slack.add_user("ana.silva", email=OWNER, real_name="Ana Silva")
        lead = Person(name="Maya Okafor", email="maya.okafor@example.com", role=Role.lead)
        owner = Person(name="Ana Silva", email=OWNER, role=Role.owner, slack_user_id=user.id,
                       jira_account_id=jira.owner_identity)
        target = TicketTarget(name="Billing Jira", kind=TargetKind.jira, connection=jira.connection_name,
                              project=jira.project, mapping={})
        session.add_all([lead, owner, target])
        session.flush()
        team = Team(name="Billing Operations", department="billing", lead_id=lead.id, ticket_target_id=target.id)
        session.add(team)
        session.flush()
        set_password(session, person=owner, password=PASSWORD)
        item = service.create_action_item(session, actor=lead, data={
            "title": "Show plan names instead of plan codes on invoices", "owner_id": owner.id,
            "team_id": team.id, "deadline": date.today() - timedelta(days=3)})
        service.submit_work_plan(session, actor=owner, item_id=item.id, text="Map SKUs to plan names.",
                                 expected_version=None)
        sync.promote_item(session, actor=lead, item_id=item.id)
        nudge = Nudge(action_item_id=item.id, kind=NudgeKind.overdue, slot="browser-e2e", recipient_id=owner.id,
                      state=NudgeState.pending)
        session.add(nudge)
        session.flush()
        enqueue(session, kind=NUDGE_KIND, payload={"nudge_id": nudge.id}, ordering_key=f"nudge:{item.id}")
        found = item.id, user.id
    engine.dispose()
    return found


@pytest.fixture
def stage(tmp_path: Path) -> Iterator[Stage]:
    database_url = f"sqlite:///{tmp_path / 'e2e.db'}"
    upgrade(database_url)
    slack = SlackEmulator(bot_token=TOKEN, signing_secret=SECRET, time_scale=0.01, fault_retry_after=0).start()
    jira = make_vendor("jira")
    engine = make_engine(database_url)
    try:
        with uvicorn_app(database_url, tmp_path) as url:
            settings = Settings(database_url=database_url, base_url=url, outbox_backoff_scale=0.001,
                                connections={jira.connection_name: jira.connection_settings()},
                                slack=SlackSettings(bot_token=SecretStr(TOKEN), signing_secret=SecretStr(SECRET),
                                                    base_url=slack.url + "/api/"))
            worker = build_worker(settings, make_session_factory(engine), factory=fast_factory, worker_id="e2e")
            item_id, slack_id = _seed(database_url, slack, jira)  # after build_worker: its hooks are in
            worker.run_until_idle()  # the ticket is created, the reminder posted
            with transaction(make_session_factory(engine)) as session:
                key = session.scalar(select(TicketLink.remote_key).where(TicketLink.action_item_id == item_id))
            assert key, "the ticket should have been created in the Jira emulator"
            yield Stage(url, database_url, item_id, key, slack_id, worker, slack, jira)
    finally:
        engine.dispose()
        jira.emulator.stop()
        slack.stop()


def _dm(stage: Stage) -> tuple[str, list[str]]:
    [message] = stage.slack.messages_for_user(stage.owner_slack_id)
    current = stage.slack.message(message.channel, message.ts)
    assert current is not None
    buttons = [e["text"]["text"] for b in current.blocks or [] if b["type"] == "actions" for e in b["elements"]]
    return current.text, buttons


def test_an_owner_finishes_an_item_from_my_work_while_slack_and_jira_follow(
        chromium: Browser, stage: Stage) -> None:
    assert _dm(stage)[1] == ["Mark implementing", "Post an update", "Snooze 1 day", "Open ticket"]
    assert stage.jira.ticket(stage.ticket)["status"] == "To Do"
    context = chromium.new_context(base_url=stage.url, viewport={"width": 1280, "height": 900})
    watch = Watch(stage.url)
    context.on("page", watch.attach)
    page: Page = context.new_page()
    page.goto("/")
    sign_in(page, OWNER)
    page.get_by_role("link", name="Open My work").click()  # the home page points owners here
    expect(page.locator("h1")).to_have_text("My work")
    row = page.locator(f"#work-{stage.item_id}")
    expect(row).to_contain_text(stage.ticket)  # the ticket badge
    assert axe_violations(page) == []

    steps = [("Mark implementing", "Marked implementing.", "To Do", "In Progress", "Mark closing the loop"),
             ("Mark closing the loop", "Marked closing the loop.", "In Progress", "In Progress", "Mark done"),
             ("Mark done", "Done. It leaves this list", "In Progress", "Done", None)]
    for pressed, said, before, after, offered in steps:
        button = page.locator(f"#work-{stage.item_id}-next")
        expect(button).to_contain_text(pressed)
        button.focus()
        page.keyboard.press("Enter")
        expect(row.get_by_role("status")).to_contain_text(said)  # the row came back: the change is in
        assert stage.jira.ticket(stage.ticket)["status"] == before  # nothing reaches a vendor from the request
        stage.worker.run_until_idle()  # what `tracker worker` does next: sync the ticket, redraw the DM
        assert stage.jira.ticket(stage.ticket)["status"] == after, pressed
        text, buttons = _dm(stage)
        if offered:
            assert buttons[0] == offered, (pressed, buttons)
        else:
            assert buttons == ["Open ticket"] and text.startswith("Done: "), (text, buttons)

    screenshots(page, "my-work-finished")
    page.reload()
    expect(page.locator(f"#work-{stage.item_id}")).to_have_count(0)
    expect(page.locator("#finished")).to_contain_text("Show plan names instead of plan codes on invoices")
    context.close()
    engine = make_engine(stage.database_url)
    with transaction(make_session_factory(engine)) as session:
        item = session.get(ActionItem, stage.item_id)
        assert item is not None and item.phase is Phase.done and item.completed_at is not None
    engine.dispose()
    assert not watch.foreign and not [e for e in watch.errors if "status of 4" not in e]

    # The owner's Slack DM as Slack shows it (the emulator's page): done, by her, nothing to press.
    slack_page = chromium.new_page()
    slack_page.goto(f"{stage.slack.url}/sandbox?as={stage.owner_slack_id}")
    dm = slack_page.locator("body")
    expect(dm).to_contain_text("Done")
    expect(dm).to_contain_text("by Ana Silva")
    expect(dm).to_contain_text("edited 3×")  # one chat.update per step, none left behind
    screenshots(slack_page, "my-work-finished-slack-dm")
    slack_page.close()

