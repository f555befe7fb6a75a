"""`slack.nudge` through the real worker and slack-sdk: sent once, skipped, retried, failed loudly."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrations.emulation import Fault, FaultPlan
from integrations.slack.emulator import SlackEmulator
from tests.factories.slack import SlackWorld
from tests.slack.conftest import TOKEN, Clock, drain, outbox
from tracker.activity.models import ActivityEntry
from tracker.nudges.models import NudgeKind, NudgeState
from tracker.nudges.posts import posts_of
from tracker.outbox.models import OutboxState
from tracker.worker.runner import Worker


def _texts(blocks: list[dict] | None) -> str:
    return repr(blocks)


def test_nudge_is_sent_as_a_dm_with_buttons_and_recorded(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, session: Session
) -> None:
    item = world.item(days=-3)
    nudge = world.nudge(item)
    worker.run_until_idle()
    sent = world.refreshed(nudge)
    assert sent.state is NudgeState.sent and sent.sent_at is not None and sent.error is None
    dm = emulator.messages_for_user(world.owner.slack_user_id or "")
    assert len(dm) == 1 and (sent.slack_channel, sent.slack_ts) == (dm[0].channel, dm[0].ts)
    assert dm[0].text.startswith("Overdue by 3 days: ")
    actions = [b for b in dm[0].blocks or [] if b["type"] == "actions"][0]
    assert [e["action_id"] for e in actions["elements"]] == ["advance", "update", "snooze"]
    assert actions["elements"][0]["text"]["text"] == "Mark implementing"
    assert actions["elements"][0]["value"] == str(item.id)
    # Running again sends nothing: the nudge is no longer pending.
    worker.run_until_idle()
    assert len(emulator.messages_for_user(world.owner.slack_user_id or "")) == 1


def test_owner_found_by_email_when_no_slack_id(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, session: Session
) -> None:
    slack_id = world.owner.slack_user_id
    world.owner.slack_user_id = None
    session.commit()
    nudge = world.nudge(world.item())
    worker.run_until_idle()
    assert world.refreshed(nudge).state is NudgeState.sent
    assert len(emulator.messages_for_user(slack_id or "")) == 1
    assert emulator.request_counts["users.lookupByEmail"] == 1


def test_done_item_is_skipped_not_sent(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, session: Session
) -> None:
    from tracker.actions.service import change_phase, waive

    item = world.item()
    nudge = world.nudge(item)
    for what in ("training", "checklist"):
        waive(session, actor=world.lead, item_id=item.id, what=what, reason="demo", expected_version=None)
    for to in ("implementing", "closing_loop", "done"):
        change_phase(session, actor=world.lead, item_id=item.id, to=to, expected_version=None)
    session.commit()
    worker.run_until_idle()
    skipped = world.refreshed(nudge)
    assert skipped.state is NudgeState.skipped and "done" in (skipped.error or "")
    assert emulator.messages_for_user(world.owner.slack_user_id or "") == []


def test_rate_limited_post_is_retried_in_process(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker
) -> None:
    nudge = world.nudge(world.item())
    emulator.faults = FaultPlan(queued=[Fault.RATE_LIMITED], path_pattern=r"chat\.postMessage$")
    worker.run_until_idle()
    assert world.refreshed(nudge).state is NudgeState.sent
    assert emulator.rate_limit_counts or emulator.faults.injected  # the 429 was served...
    assert len(emulator.messages_for_user(world.owner.slack_user_id or "")) == 1  # ...and posted once


def test_long_retry_after_goes_back_to_the_worker(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, clock: Clock, session: Session
) -> None:
    emulator.fault_retry_after = 120  # longer than the client sleeps in-process
    nudge = world.nudge(world.item())
    emulator.faults = FaultPlan(queued=[Fault.RATE_LIMITED], path_pattern=r"chat\.postMessage$")
    worker.run_until_idle()
    assert world.refreshed(nudge).state is NudgeState.pending
    [msg] = outbox(session, "slack.nudge")
    assert msg.state is OutboxState.pending and "429" in (msg.last_error or "")
    assert (msg.available_at - clock.now).total_seconds() >= 119  # Retry-After honoured
    clock.advance(121)
    worker.run_until_idle()
    assert world.refreshed(nudge).state is NudgeState.sent
    assert len(emulator.messages_for_user(world.owner.slack_user_id or "")) == 1


def test_server_error_is_retried_later(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, clock: Clock, session: Session
) -> None:
    nudge = world.nudge(world.item())
    emulator.faults = FaultPlan(queued=[Fault.SERVER_ERROR], path_pattern=r"chat\.postMessage$")
    worker.run_once()
    assert world.refreshed(nudge).state is NudgeState.pending
    assert "503" in (outbox(session, "slack.nudge")[0].last_error or "")
    drain(worker, clock)  # past the backoff: the retry
    assert world.refreshed(nudge).state is NudgeState.sent
    [msg] = outbox(session, "slack.nudge")
    assert msg.attempts == 2 and msg.state is OutboxState.done
    assert [f for f, _, _ in emulator.faults.injected] == [Fault.SERVER_ERROR]
    assert len(emulator.messages_for_user(world.owner.slack_user_id or "")) == 1


def test_drop_after_post_is_not_reposted_by_the_sdk(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, session: Session, clock: Clock
) -> None:
    nudge = world.nudge(world.item())
    emulator.faults = FaultPlan(queued=[Fault.DROP_AFTER_WRITE], path_pattern=r"chat\.postMessage$")
    worker.run_once()
    # The post landed, the reply was lost: the SDK did not send it again in-process (the default
    # WebClient would have), and the nudge is still pending, not lost.
    assert len(emulator.messages_for_user(world.owner.slack_user_id or "")) == 1
    assert emulator.request_counts["chat.postMessage"] == 1
    assert world.refreshed(nudge).state is NudgeState.pending
    [msg] = outbox(session, "slack.nudge")
    assert msg.state is OutboxState.pending and "no answer from Slack" in (msg.last_error or "")
    # The worker's retry is the documented at-least-once window (delivery.py): the reminder is
    # not lost, at the price of a second copy when Slack's reply was lost after the post.
    drain(worker, clock, rounds=2)  # past the retry's backoff
    assert world.refreshed(nudge).state is NudgeState.sent
    assert len(emulator.messages_for_user(world.owner.slack_user_id or "")) == 2


def test_inactive_account_gives_up_with_the_reason(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, session: Session
) -> None:
    nudge = world.nudge(world.item())
    emulator.deactivate_token(TOKEN)
    worker.run_until_idle()
    failed = world.refreshed(nudge)
    assert failed.state is NudgeState.failed and "account_inactive" in (failed.error or "")
    [msg] = outbox(session, "slack.nudge")
    assert msg.state is OutboxState.dead and "account_inactive" in (msg.last_error or "")
    assert "xoxb" not in (msg.last_error or "") and "xoxb" not in (failed.error or "")
    assert outbox(session, "slack.notice") == []  # Slack is unusable: the activity log says it
    logged = session.scalars(select(ActivityEntry).where(ActivityEntry.action == "nudge_failed")).all()
    assert len(logged) == 1


def test_revoked_token_gives_up(world: SlackWorld, emulator: SlackEmulator, worker: Worker,
                                session: Session) -> None:
    nudge = world.nudge(world.item())
    emulator.revoke_token(TOKEN)
    worker.run_until_idle()
    assert "token_revoked" in (world.refreshed(nudge).error or "")
    assert outbox(session, "slack.nudge")[0].state is OutboxState.dead


def test_owner_not_found_fails_the_nudge_and_tells_the_lead(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, session: Session
) -> None:
    world.owner.slack_user_id = None
    world.owner.email = "nobody-in-slack@example.com"
    session.commit()
    item = world.item()
    nudge = world.nudge(item)
    worker.run_until_idle()
    failed = world.refreshed(nudge)
    assert failed.state is NudgeState.failed and "users_not_found" in (failed.error or "")
    entry = session.scalars(select(ActivityEntry).where(ActivityEntry.action == "nudge_failed")).one()
    assert entry.action_item_id == item.id and "users_not_found" in entry.changes["reason"]
    [told] = emulator.messages_for_user(world.lead.slack_user_id or "")
    assert told.text.startswith("Couldn't reach Ana Silva on Slack")
    assert "users_not_found" in _texts(told.blocks)


def test_unreachable_lead_is_logged_without_a_loop(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, clock: Clock, session: Session
) -> None:
    emulator.deactivate_user(world.owner.slack_user_id or "")
    emulator.deactivate_user(world.lead.slack_user_id or "")
    item = world.item()
    nudge = world.nudge(item)
    drain(worker, clock)
    assert "user_disabled" in (world.refreshed(nudge).error or "")
    actions = [e.action for e in session.scalars(select(ActivityEntry).where(
        ActivityEntry.action_item_id == item.id, ActivityEntry.action.in_(["nudge_failed", "lead_unreachable"])))]
    assert sorted(actions) == ["lead_unreachable", "nudge_failed"]
    assert len(outbox(session, "slack.notice")) == 1  # one notice, no notice about the notice


def test_escalation_posts_in_the_channel_and_dms_the_lead(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker
) -> None:
    nudge = world.nudge(world.item(days=-8), kind=NudgeKind.escalation)
    worker.run_until_idle()
    sent = world.refreshed(nudge)
    [public] = emulator.messages_in_channel(world.channel_id)
    assert public.text.startswith("Escalation: Ana Silva's item is overdue by 8 days")
    [dm] = emulator.messages_for_user(world.lead.slack_user_id or "")
    # Both messages are recorded, the channel's first, so both follow the item from now on.
    assert sent.state is NudgeState.sent
    assert posts_of(world.session, sent.id) == [(world.channel_id, public.ts), (dm.channel, dm.ts)]


def test_escalation_retry_does_not_post_in_the_channel_twice(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, clock: Clock
) -> None:
    nudge = world.nudge(world.item(days=-8), kind=NudgeKind.escalation)
    emulator.faults = FaultPlan(queued=[Fault.SERVER_ERROR], path_pattern=r"conversations\.open$")
    worker.run_once()  # posted in the channel, then the lead's DM failed
    pending = world.refreshed(nudge)
    assert pending.state is NudgeState.pending and pending.slack_channel == world.channel_id
    drain(worker, clock)
    assert world.refreshed(nudge).state is NudgeState.sent
    assert len(emulator.messages_in_channel(world.channel_id)) == 1
    assert len(emulator.messages_for_user(world.lead.slack_user_id or "")) == 1
