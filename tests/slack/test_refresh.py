"""Posted messages follow their item: a change made anywhere (API, ticket, another message)
re-renders every posted nudge of the item through the outbox, once per burst.

Real app over HTTP, real worker, real slack-sdk against the Slack emulator.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from integrations.slack.client import SlackMessenger
from integrations.slack.emulator import SlackEmulator
from integrations.slack.workspace import Message
from tests import factories
from tests.factories.slack import SlackWorld
from tests.slack.conftest import TOKEN, Clock, Relay, drain, outbox
from tracker.actions.models import ActionItem
from tracker.actions.service import update_action_item
from tracker.messaging.ports import NudgeMessage, Posted
from tracker.nudges.models import Nudge, NudgeKind
from tracker.nudges.posts import forget_post, posts_of, record_post
from tracker.outbox.models import OutboxState
from tracker.slack.refresh import nudge_posted_as, posted_messages
from tracker.sync.models import LinkState, TargetKind, TicketLink, TicketTarget
from tracker.worker.runner import Worker

TICKET_URL = "https://jira.example/browse/CX-7"


class Api:
    """The tracker's HTTP API as a lead uses it: each call sends the version it last saw."""

    def __init__(self, client: TestClient, headers: dict[str, str], item: ActionItem) -> None:
        self.client, self.headers, self.item_id, self.version = client, headers, item.id, item.version

    def _send(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        reply = self.client.request(method, f"/action-items/{self.item_id}{path}", headers=self.headers,
                                    json={**body, "version": self.version})
        assert reply.status_code == 200, reply.text
        self.version = int(reply.json()["version"])
        return dict(reply.json())

    def phase(self, to: str) -> None:
        self._send("POST", "/phase", {"to": to})

    def edit(self, **fields: Any) -> None:
        self._send("PATCH", "", fields)

    def waive(self, what: str) -> None:
        self._send("POST", "/waivers", {"what": what, "reason": "not needed for this change"})

    def finish(self) -> None:
        """planned -> done the way a lead does it in the web app."""
        self.waive("training")
        self.waive("checklist")
        for to in ("implementing", "closing_loop", "done"):
            self.phase(to)


@pytest.fixture
def api(world: SlackWorld, slack_client: TestClient, session: Session) -> Any:
    headers = factories.auth_headers(session, world.lead)

    def make(item: ActionItem) -> Api:
        session.refresh(item)
        return Api(slack_client, headers, item)

    return make


def _post(world: SlackWorld, worker: Worker, item: ActionItem, kind: NudgeKind = NudgeKind.overdue) -> Nudge:
    nudge = world.nudge(item, kind=kind)
    worker.run_until_idle()
    sent = world.refreshed(nudge)
    assert sent.slack_ts is not None
    return sent


def _owner_dm(world: SlackWorld) -> Message:
    [message] = world.emulator.messages_for_user(world.owner.slack_user_id or "")
    return message


def _current(emulator: SlackEmulator, message: Message) -> Message:
    found = emulator.message(message.channel, message.ts)
    assert found is not None
    return found


def _buttons(message: Message) -> list[str]:
    return [e["action_id"] for b in message.blocks or [] if b["type"] == "actions" for e in b["elements"]]


def _button_labels(message: Message) -> list[str]:
    return [e["text"]["text"] for b in message.blocks or [] if b["type"] == "actions" for e in b["elements"]]


def _updates(emulator: SlackEmulator, message: Message) -> int:
    return sum(1 for c in emulator.calls if c.method == "chat.update" and c.args.get("ts") == message.ts
               and c.error is None)


def _link_ticket(session: Session, item: ActionItem) -> None:
    target = TicketTarget(name=f"t{item.id}", kind=TargetKind.jira, connection="none", project="CX", mapping={})
    session.add(target)
    session.flush()
    session.add(TicketLink(action_item_id=item.id, target_id=target.id, state=LinkState.linked,
                           marker=f"m-{item.id}", remote_key="CX-7", remote_url=TICKET_URL))
    session.commit()


def test_item_finished_through_the_api_loses_its_buttons(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, api: Any, session: Session
) -> None:
    item = world.item()
    _link_ticket(session, item)
    _post(world, worker, item)
    message = _owner_dm(world)
    assert "Mark implementing" in _button_labels(message)

    api(item).finish()
    worker.handlers.pop("ticket.sync")  # no Jira here: only the Slack side is delivered
    worker.run_until_idle()

    shown = _current(emulator, message)
    assert _buttons(shown) == ["open_ticket"]  # only the link to the ticket is left
    assert not any(label.startswith("Mark ") for label in _button_labels(shown))
    text = json.dumps(shown.blocks)
    assert "Done" in text and "Maya Okafor" in text  # what happened, and who did it
    assert not any(b["type"] == "input" for b in shown.blocks or [])
    assert _updates(emulator, message) == 1  # eight API changes, one chat.update


def test_a_phase_moved_elsewhere_offers_the_new_next_phase(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, api: Any
) -> None:
    item = world.item()
    _post(world, worker, item)
    message = _owner_dm(world)
    api(item).phase("implementing")
    worker.run_until_idle()
    labels = _button_labels(_current(emulator, message))
    assert "Mark closing the loop" in labels and "Mark implementing" not in labels


def test_a_burst_of_changes_is_one_update_per_message(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, api: Any
) -> None:
    item = world.item(days=-8)
    _post(world, worker, item)
    _post(world, worker, item, kind=NudgeKind.escalation)  # the team channel and the lead's DM
    dm = _owner_dm(world)
    [in_channel] = emulator.messages_in_channel(world.channel_id)
    [to_lead] = emulator.messages_for_user(world.lead.slack_user_id or "")
    assert "Mark implementing" in _button_labels(to_lead) and "Mark implementing" in _button_labels(in_channel)

    lead_api = api(item)
    for n in range(4):
        lead_api.edit(title=f"Fix the VAT line, take {n}")
    lead_api.phase("implementing")
    worker.run_until_idle()

    for message in (dm, in_channel, to_lead):
        shown = _current(emulator, message)
        assert _updates(emulator, message) == 1, message.channel
        assert "Fix the VAT line, take 3" in json.dumps(shown.blocks)
        assert "Mark closing the loop" in _button_labels(shown)


def test_the_old_owner_s_message_says_whose_item_it_is_now(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, api: Any
) -> None:
    item = world.item()
    _post(world, worker, item)
    message = _owner_dm(world)
    api(item).edit(owner_id=world.other_owner.id)
    worker.run_until_idle()
    shown = _current(emulator, message)
    assert _buttons(shown) == []
    assert "Ben Weber" in shown.text and "Ben Weber" in json.dumps(shown.blocks)


def test_a_click_in_slack_refreshes_that_message_once_and_the_others_too(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, relay: Relay
) -> None:
    item = world.item(days=-8)
    _post(world, worker, item)
    _post(world, worker, item, kind=NudgeKind.escalation)
    dm = _owner_dm(world)
    [in_channel] = emulator.messages_in_channel(world.channel_id)
    delivery = emulator.click(dm.channel, dm.ts, "advance", user_id=world.owner.slack_user_id or "")
    assert delivery.ok, delivery
    worker.run_until_idle()
    assert _updates(emulator, dm) == 1  # the Slack side's own refresh, with its note
    assert "Marked implementing by Ana Silva" in json.dumps(_current(emulator, dm).blocks)
    assert _updates(emulator, in_channel) == 1
    assert "Mark closing the loop" in _button_labels(_current(emulator, in_channel))


def test_snoozing_through_the_api_refreshes_the_message(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, slack_client: TestClient, session: Session
) -> None:
    item = world.item()
    _post(world, worker, item)
    message = _owner_dm(world)
    headers = factories.auth_headers(session, world.owner)
    for _ in range(2):  # the default policy allows two snoozes; then the button goes
        assert slack_client.post(f"/action-items/{item.id}/snooze", headers=headers).status_code == 200
    worker.run_until_idle()
    assert "snooze" not in _buttons(_current(emulator, message))


def test_a_message_gone_from_slack_is_given_up_quietly(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, api: Any, session: Session, clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    item = world.item()
    nudge = _post(world, worker, item)
    message = _owner_dm(world)
    emulator.delete_message(message.channel, message.ts)  # e.g. a workspace admin removed it
    lead_api = api(item)
    lead_api.edit(title="Fix the VAT line on EU invoices")
    with caplog.at_level(logging.INFO):
        drain(worker, clock)
    [refresh] = outbox(session, "slack.refresh")
    assert refresh.state is OutboxState.done and refresh.attempts == 1  # not retried, not dead
    assert any("message_not_found" in r.getMessage() and r.levelno <= logging.WARNING for r in caplog.records)
    assert posts_of(session, nudge.id) == []  # forgotten: nothing left to keep up to date
    lead_api.edit(deadline=(date.today() + timedelta(days=9)).isoformat())
    assert len(outbox(session, "slack.refresh")) == 1  # the next change queues nothing for it


def test_nothing_is_queued_for_changes_the_message_does_not_show(
    world: SlackWorld, worker: Worker, api: Any, session: Session
) -> None:
    item = world.item()
    _post(world, worker, item)
    api(item).edit(description="More detail nobody sees in Slack", priority="high")
    assert outbox(session, "slack.refresh") == []


class ChangesTheItemWhilePosting(SlackMessenger):
    """The real messenger, but the item is edited between the nudge being read and posted."""

    def __init__(self, change: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.change = change

    def send_nudge(self, user_id: str, message: NudgeMessage) -> Posted:
        self.change()
        return super().send_nudge(user_id, message)


def test_a_change_made_while_the_nudge_was_being_posted_is_caught_up(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, session_factory: Any
) -> None:
    item = world.item()

    def rename() -> None:
        with session_factory() as other:
            update_action_item(other, actor=world.lead, item_id=item.id, expected_version=None,
                               data={"title": "Renamed while the nudge was on its way"})
            other.commit()

    worker.ctx.resources["messenger"] = ChangesTheItemWhilePosting(
        rename, token=TOKEN, base_url=emulator.url + "/api/", timeout=5)
    world.nudge(item)
    worker.run_until_idle()
    message = _owner_dm(world)
    shown = _current(emulator, message)
    assert shown.edits and "Renamed while" not in shown.edits[0].text  # posted with the old title...
    assert "Renamed while the nudge was on its way" in shown.text  # ...then caught up
    assert _updates(emulator, message) == 1


def test_posts_of_a_nudge_are_rows_found_by_item_and_by_message(world: SlackWorld, session: Session) -> None:
    item = world.item(days=-8)
    nudge = world.nudge(item, kind=NudgeKind.escalation)
    assert posts_of(session, nudge.id) == []
    assert record_post(session, nudge, channel="C0123456789", ts="1700000000.000100")
    assert record_post(session, nudge, channel="D0123456789", ts="1700000001.000200")
    assert not record_post(session, nudge, channel="D0123456789", ts="1700000001.000200")  # already there
    # The first message stays on the nudge for good: a retry must not post in the channel again.
    assert (nudge.slack_channel, nudge.slack_ts) == ("C0123456789", "1700000000.000100")
    assert [p.posted.channel for p in posted_messages(session, item.id)] == ["D0123456789", "C0123456789"]
    assert nudge_posted_as(session, item.id, Posted("D0123456789", "1700000001.000200")) is nudge
    assert nudge_posted_as(session, item.id + 1, Posted("D0123456789", "1700000001.000200")) is None
    forget_post(session, channel="C0123456789", ts="1700000000.000100")
    assert posts_of(session, nudge.id) == [("D0123456789", "1700000001.000200")]
    assert nudge.slack_ts == "1700000000.000100"


def test_a_work_plan_reminder_stops_asking_once_the_plan_is_in(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, slack_client: TestClient, session: Session
) -> None:
    item = world.item(days=10)
    _post(world, worker, item, kind=NudgeKind.work_plan)
    message = _owner_dm(world)
    assert message.text.startswith("Work plan needed")
    session.refresh(item)
    reply = slack_client.put(f"/action-items/{item.id}/work-plan", headers=factories.auth_headers(session, world.owner),
                             json={"text": "Ship the fix behind a flag, then train billing.", "version": item.version})
    assert reply.status_code == 200, reply.text
    worker.run_until_idle()
    shown = _current(emulator, message)
    assert shown.text.startswith("Due in 10 days") and "Work plan received" in shown.text
