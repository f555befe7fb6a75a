"""An owner finishes an item from My work: its Slack reminder follows each step and its Jira
ticket is transitioned, with the real worker, the Slack emulator (slack-sdk) and the Jira
emulator (the `jira` package), exactly as production delivers them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session

from integrations.slack.emulator import SlackEmulator
from tests import factories
from tests.factories.slack import SlackWorld
from tests.slack.conftest import SECRET, TOKEN
from tests.sync.harness import Vendor, fast_factory, make_vendor
from tracker.actions.models import ActionItem, Phase
from tracker.activity.models import ActivityEntry
from tracker.app import create_app
from tracker.auth.sessions import start_session
from tracker.config import Settings, SlackSettings
from tracker.sync.models import LinkState, TargetKind, TicketLink, TicketTarget
from tracker.web.session import COOKIE
from tracker.worker.main import build_worker
from tracker.worker.runner import Worker

HTML = {"Accept": "text/html"}


@pytest.fixture
def jira() -> Iterator[Vendor]:
    vendor = make_vendor("jira")
    yield vendor
    vendor.emulator.stop()


@pytest.fixture
def both_settings(database, emulator: SlackEmulator, jira: Vendor) -> Settings:  # type: ignore[no-untyped-def]
    return Settings(database_url=database.url, base_url="http://tracker.test", outbox_backoff_scale=0.001,
                    connections={jira.connection_name: jira.connection_settings()},
                    slack=SlackSettings(bot_token=SecretStr(TOKEN), signing_secret=SecretStr(SECRET),
                                        base_url=emulator.url + "/api/"))


@pytest.fixture
def client(both_settings: Settings, session_factory) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(create_app(both_settings, session_factory=session_factory), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def both_worker(both_settings: Settings, session_factory) -> Worker:  # type: ignore[no-untyped-def]
    w = build_worker(both_settings, session_factory, factory=fast_factory, worker_id="my-work")
    w.max_attempts = 3
    return w


def _buttons(blocks: list[dict[str, Any]] | None) -> list[str]:
    return [e["text"]["text"] for b in blocks or [] if b["type"] == "actions" for e in b["elements"]]


def _press_next(client: TestClient, item_id: int, csrf: str, *, htmx: bool) -> str:
    """Read My work as the browser shows it, then press the row's next-phase button."""
    page = client.get("/app/my-work", headers=HTML).text
    form = re.search(rf'action="/app/my-work/items/{item_id}/next-phase".*?</form>', page, re.S)
    assert form, page[-2000:]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form.group(0)))
    headers = {**HTML, **({"HX-Request": "true"} if htmx else {})}
    r = client.post(f"/app/my-work/items/{item_id}/next-phase", data={**fields, "csrf_token": csrf},
                    headers=headers, follow_redirects=False)
    assert r.status_code == (200 if htmx else 303), r.text[:500]
    return fields["to"]


def test_an_owner_finishes_an_item_from_my_work_and_slack_and_jira_follow(
    world: SlackWorld, emulator: SlackEmulator, jira: Vendor, client: TestClient, both_worker: Worker,
    session: Session,
) -> None:
    target = TicketTarget(name="jira target", kind=TargetKind.jira, connection=jira.connection_name,
                          project=jira.project, mapping={})
    session.add(target)
    session.flush()
    world.team.ticket_target_id = target.id
    world.owner.jira_account_id = jira.owner_identity
    session.commit()
    item = world.item(title="Show plan names on invoices")  # overdue; no training, no customers
    lead = factories.auth_headers(session, world.lead)
    assert client.post(f"/action-items/{item.id}/ticket", headers=lead).status_code == 202
    world.nudge(item)
    both_worker.run_until_idle()  # the ticket is created and the reminder posted
    key = session.scalar(select(TicketLink.remote_key).where(TicketLink.action_item_id == item.id))
    assert key and jira.ticket(key)["status"] == "To Do"
    [message] = emulator.messages_for_user(world.owner.slack_user_id or "")
    assert "Mark implementing" in _buttons(message.blocks)

    web, secret = start_session(session, person=world.owner)
    session.commit()
    client.cookies.set(COOKIE, secret)
    shown_in_slack = []
    for step, htmx in enumerate((True, False, True)):  # with htmx and as a plain form
        moved_to = _press_next(client, item.id, web.csrf_token, htmx=htmx)
        both_worker.run_until_idle()  # ticket sync and the message refresh, through the emulators
        shown = emulator.message(message.channel, message.ts)
        assert shown is not None
        shown_in_slack.append(_buttons(shown.blocks))
        assert moved_to == ("implementing", "closing_loop", "done")[step]

    session.expire_all()
    done = session.get(ActionItem, item.id)
    assert done is not None and done.phase is Phase.done
    # The reminder followed every step and ends with nothing left to press but the ticket.
    assert shown_in_slack == [["Mark closing the loop", "Post an update", "Snooze 1 day", "Open ticket"],
                              ["Mark done", "Post an update", "Snooze 1 day", "Open ticket"],
                              ["Open ticket"]]
    final = emulator.message(message.channel, message.ts)
    assert final is not None and final.text.startswith("Done: ")
    assert f"by {world.owner.name}" in json.dumps(final.blocks)
    # The ticket followed: Done in Jira, nothing left to push, and the link still healthy.
    assert jira.ticket(key)["status"] == "Done"
    link = session.scalar(select(TicketLink).where(TicketLink.action_item_id == item.id))
    assert link is not None and link.state is LinkState.linked and link.dirty_fields == []
    # The owner did it, by name, in the item's activity log.
    moves = session.scalars(select(ActivityEntry).where(ActivityEntry.action_item_id == item.id,
                                                        ActivityEntry.action == "phase_changed")).all()
    assert [m.changes["phase"]["to"] for m in moves] == ["implementing", "closing_loop", "done"]
    assert {m.actor_id for m in moves} == {world.owner.id}
