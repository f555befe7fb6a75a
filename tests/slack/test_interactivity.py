"""Buttons in Slack, end to end: emulator click -> signed POST -> app -> worker -> chat.update."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from integrations.slack.emulator import SlackEmulator
from integrations.slack.workspace import Message
from tests.factories.slack import SlackWorld
from tests.slack.conftest import Clock, Relay, apply_clicks, drain, outbox
from tracker.actions.models import ActionItem, Phase, ProgressUpdate
from tracker.activity.models import ActivityEntry
from tracker.nudges.models import NudgeSchedule
from tracker.sync.models import LinkState, TargetKind, TicketLink, TicketTarget
from tracker.worker.runner import Worker


def _posted(world: SlackWorld, worker: Worker, item: ActionItem) -> Message:
    world.nudge(item)
    worker.run_until_idle()
    [message] = world.emulator.messages_for_user(world.owner.slack_user_id or "")
    return message


def _phase(session: Session, item: ActionItem) -> Phase:
    session.expire_all()
    found = session.get(ActionItem, item.id)
    assert found is not None
    return found.phase


def _ephemerals(emulator: SlackEmulator, who: str | None) -> list[str]:
    return [m.text for m in emulator.ephemeral_for_user(who or "")]


def _payload_body(world: SlackWorld, item: ActionItem, user_id: str) -> bytes:
    payload = {"type": "block_actions", "user": {"id": user_id},
               "container": {"channel_id": "D1", "message_ts": "1.2"},
               "actions": [{"action_id": "advance", "block_id": f"nudge:{item.id}:planned:implementing",
                            "value": str(item.id)}]}
    return urlencode({"payload": json.dumps(payload)}).encode()


def test_bad_signature_is_refused_and_changes_nothing(
    world: SlackWorld, emulator: SlackEmulator, slack_client: TestClient, session: Session
) -> None:
    item = world.item()
    body = _payload_body(world, item, world.owner.slack_user_id or "")
    headers = emulator.sign(body)
    tampered = body.replace(b"advance", b"snooze")
    assert slack_client.post("/slack/interactivity", content=tampered, headers=headers).status_code == 401
    headers["X-Slack-Signature"] = "v0=" + "0" * 64
    assert slack_client.post("/slack/interactivity", content=body, headers=headers).status_code == 401
    assert slack_client.post("/slack/interactivity", content=body).status_code == 401  # unsigned
    assert _phase(session, item) is Phase.planned and outbox(session) == []


def test_old_timestamp_is_refused_and_changes_nothing(
    world: SlackWorld, emulator: SlackEmulator, slack_client: TestClient, session: Session, worker: Worker
) -> None:
    item = world.item()
    body = _payload_body(world, item, world.owner.slack_user_id or "")
    old = emulator.sign(body, timestamp=int(time.time()) - 301)  # correctly signed, six minutes... old
    assert slack_client.post("/slack/interactivity", content=body, headers=old).status_code == 401
    fresh = emulator.sign(body, timestamp=int(time.time()) - 200)
    assert slack_client.post("/slack/interactivity", content=body, headers=fresh).status_code == 200
    apply_clicks(worker)
    assert _phase(session, item) is Phase.implementing  # the control: the same body, in time


def test_owner_marks_the_next_phase_from_the_message(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, relay: Relay, session: Session
) -> None:
    item = world.item()
    target = TicketTarget(name=f"t{item.id}", kind=TargetKind.jira, connection="none", project="CX", mapping={})
    session.add(target)
    session.flush()
    session.add(TicketLink(action_item_id=item.id, target_id=target.id, state=LinkState.linked,
                           marker=f"m-{item.id}", remote_key="CX-1", remote_url="https://jira.example/browse/CX-1"))
    session.commit()
    message = _posted(world, worker, item)
    assert '"Open ticket"' in json.dumps(message.blocks)

    delivery = emulator.click(message.channel, message.ts, "advance", user_id=world.owner.slack_user_id or "")
    assert delivery.ok, delivery
    assert _phase(session, item) is Phase.planned  # acknowledged at once, applied by the worker
    assert len(outbox(session, "slack.interaction")) == 1
    apply_clicks(worker)
    assert _phase(session, item) is Phase.implementing
    entry = session.scalars(select(ActivityEntry).where(ActivityEntry.action_item_id == item.id,
                                                        ActivityEntry.action == "phase_changed")).one()
    assert entry.actor_id == world.owner.id and entry.actor_label.endswith("via Slack")
    assert entry.changes["phase"] == {"from": "planned", "to": "implementing"}
    assert len(outbox(session, "ticket.sync")) == 1  # syncs outward like any other change

    worker.handlers.pop("ticket.sync")  # no Jira here: deliver only the Slack side
    worker.run_until_idle()
    updated = emulator.message(message.channel, message.ts)
    assert updated is not None and len(updated.edits) == 1 and updated.edits[0].by == "chat.update"
    shown = json.dumps(updated.blocks)
    assert "Marked implementing by Ana Silva" in shown and "Mark closing the loop" in shown
    assert "Mark implementing" not in shown


def test_another_owners_click_is_refused(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, relay: Relay, session: Session
) -> None:
    item = world.item()
    message = _posted(world, worker, item)
    # The owner forwarded it / it sits in a channel: another owner presses the button.
    delivery = emulator.click(message.channel, message.ts, "advance", user_id=world.other_owner.slack_user_id or "")
    assert delivery.ok
    apply_clicks(worker)
    assert _phase(session, item) is Phase.planned
    assert session.scalars(select(ActivityEntry).where(ActivityEntry.action == "phase_changed")).all() == []
    worker.run_until_idle()
    [said] = _ephemerals(emulator, world.other_owner.slack_user_id)
    assert said.startswith("Not changed:") and "belongs to someone else" in said
    assert emulator.message(message.channel, message.ts).edits == []  # type: ignore[union-attr]


def test_lead_may_act_and_strangers_are_told_who_they_are_not(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, relay: Relay, session: Session
) -> None:
    item = world.item()
    message = _posted(world, worker, item)
    stranger = emulator.add_user("stranger")
    emulator.click(message.channel, message.ts, "advance", user_id=stranger.id)
    apply_clicks(worker)
    assert _phase(session, item) is Phase.planned
    emulator.click(message.channel, message.ts, "advance", user_id=world.lead.slack_user_id or "")
    apply_clicks(worker)
    assert _phase(session, item) is Phase.implementing
    worker.run_until_idle()
    assert _ephemerals(emulator, stranger.id)[0].startswith("I don't know you")


def test_a_second_click_on_an_old_message_does_not_move_the_item_again(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, relay: Relay, session: Session
) -> None:
    item = world.item()
    message = _posted(world, worker, item)
    owner = world.owner.slack_user_id or ""
    before = json.loads(json.dumps(message.blocks))
    emulator.click(message.channel, message.ts, "advance", user_id=owner)
    apply_clicks(worker)
    # A click that raced the refresh: the emulator still has the old buttons if we restore them.
    emulator.edit_message(emulator.message(message.channel, message.ts), message.text, before, by="test")  # type: ignore[arg-type]
    emulator.click(message.channel, message.ts, "advance", user_id=owner)
    apply_clicks(worker)
    assert _phase(session, item) is Phase.implementing
    worker.run_until_idle()
    assert any("out of date" in t for t in _ephemerals(emulator, owner))


def test_done_gate_refusal_names_what_is_missing(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, relay: Relay, session: Session
) -> None:
    from tracker.actions.service import change_phase

    item = world.item(training_needed=True, training_target=5)
    for to in ("implementing", "training"):
        change_phase(session, actor=world.lead, item_id=item.id, to=to, expected_version=None)
    session.commit()
    # training -> closing_loop is allowed; closing_loop -> done is gated by training and checklist.
    message = _posted(world, worker, item)
    emulator.click(message.channel, message.ts, "advance", user_id=world.owner.slack_user_id or "")
    apply_clicks(worker)
    assert _phase(session, item) is Phase.closing_loop
    worker.run_until_idle()
    message = emulator.message(message.channel, message.ts)  # type: ignore[assignment]
    assert "Mark done" in json.dumps(message.blocks)
    emulator.click(message.channel, message.ts, "advance", user_id=world.owner.slack_user_id or "")
    apply_clicks(worker)
    assert _phase(session, item) is Phase.closing_loop
    worker.run_until_idle()
    said = _ephemerals(emulator, world.owner.slack_user_id)[-1]
    assert "cannot be done yet" in said and "training is not complete" in said


def test_snooze_holds_the_nudges_and_refreshes_the_message(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, relay: Relay, session: Session, clock: Clock
) -> None:
    item = world.item()
    message = _posted(world, worker, item)
    emulator.click(message.channel, message.ts, "snooze", user_id=world.owner.slack_user_id or "")
    apply_clicks(worker)
    session.expire_all()
    row = session.get(NudgeSchedule, item.id)
    assert row is not None and row.snoozes == 1 and row.snoozed_until is not None
    worker.run_until_idle()
    shown = json.dumps(emulator.message(message.channel, message.ts).blocks)  # type: ignore[union-attr]
    assert "Snoozed until" in shown
    # The default policy allows two snoozes: the second works, then the button is gone.
    emulator.click(message.channel, message.ts, "snooze", user_id=world.owner.slack_user_id or "")
    drain(worker, clock, rounds=1)
    shown = json.dumps(emulator.message(message.channel, message.ts).blocks)  # type: ignore[union-attr]
    assert '"snooze"' not in shown


def test_post_an_update_from_the_message(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, relay: Relay, session: Session
) -> None:
    item = world.item()
    message = _posted(world, worker, item)
    owner = world.owner.slack_user_id or ""
    emulator.click(message.channel, message.ts, "update", user_id=owner)  # nothing typed
    apply_clicks(worker)
    assert session.scalars(select(ProgressUpdate)).all() == []
    emulator.click(message.channel, message.ts, "update", user_id=owner,
                   inputs={"update_text": "Copy fixed; waiting for QA"})
    apply_clicks(worker)
    [update] = session.scalars(select(ProgressUpdate).where(ProgressUpdate.action_item_id == item.id)).all()
    assert update.note == "Copy fixed; waiting for QA" and update.author_id == world.owner.id
    worker.run_until_idle()
    assert _ephemerals(emulator, owner)[0].startswith("Not changed: Type your update")
    shown = json.dumps(emulator.message(message.channel, message.ts).blocks)  # type: ignore[union-attr]
    assert "Update posted by Ana Silva: Copy fixed" in shown


def test_open_ticket_click_is_only_acknowledged(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, relay: Relay, session: Session
) -> None:
    item = world.item()
    world.nudge(item)
    worker.run_until_idle()
    body = urlencode({"payload": json.dumps({
        "type": "block_actions", "user": {"id": world.owner.slack_user_id},
        "actions": [{"action_id": "open_ticket", "value": str(item.id)}]})}).encode()
    reply = relay_post(emulator, relay, body)
    assert reply == 200 and outbox(session, "slack.respond") == []


def relay_post(emulator: SlackEmulator, relay: Relay, body: bytes) -> int:
    import urllib.request

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(relay.url + "/slack/interactivity", data=body, headers=emulator.sign(body))
    with opener.open(request, timeout=5) as reply:
        return int(reply.status)


def test_a_click_is_stored_and_acknowledged_then_applied_ahead_of_a_sync_backlog(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, relay: Relay, session: Session
) -> None:
    from tracker.outbox.service import enqueue

    item = world.item()
    message = _posted(world, worker, item)
    for n in range(3 * worker.batch_size):  # a long queue of ticket sync, older than the click
        enqueue(session, kind="ticket.sync", payload={"n": n})
    session.commit()
    delivery = emulator.click(message.channel, message.ts, "advance", user_id=world.owner.slack_user_id or "")
    assert delivery.ok and _phase(session, item) is Phase.planned
    [stored] = outbox(session, "slack.interaction")
    assert stored.payload["action_item_id"] == item.id and "payload" not in stored.payload["raw"]

    synced: list[int] = []
    worker.handlers["ticket.sync"] = lambda _ctx, message: synced.append(message.id)
    worker.run_once()  # one batch: the click first, then the redrawn message, then the backlog
    assert _phase(session, item) is Phase.implementing
    assert len(synced) == worker.batch_size - 1
    worker.run_once()
    shown = json.dumps(emulator.message(message.channel, message.ts).blocks)  # type: ignore[union-attr]
    assert "Marked implementing by Ana Silva" in shown


def test_a_stored_click_survives_a_restart(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, relay: Relay, session: Session,
    slack_settings, session_factory,  # type: ignore[no-untyped-def]
) -> None:
    from tracker.worker.main import build_worker

    item = world.item()
    message = _posted(world, worker, item)
    emulator.click(message.channel, message.ts, "advance", user_id=world.owner.slack_user_id or "")
    # The process that acknowledged it stops; a new worker applies what was stored.
    restarted = build_worker(slack_settings, session_factory, worker_id="after-restart")
    restarted.run_until_idle()
    assert _phase(session, item) is Phase.implementing
    assert "Marked implementing" in json.dumps(emulator.message(message.channel, message.ts).blocks)  # type: ignore[union-attr]
