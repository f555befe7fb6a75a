"""A nudge is never lost and never sent twice: a worker dies after claiming it, two workers
share the work, and a sweep after six hours of downtime sends what is due now, not a backlog."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from integrations.slack.emulator import SlackEmulator
from tests.factories.slack import SlackWorld
from tests.slack.conftest import Clock
from tracker.db import transaction
from tracker.nudges.models import Nudge, NudgeKind, NudgeSchedule, NudgeState
from tracker.nudges.sweep import sweep
from tracker.outbox import service as outbox
from tracker.worker.main import build_worker
from tracker.worker.runner import Worker


def _dms(emulator: SlackEmulator, world: SlackWorld) -> int:
    return len(emulator.messages_for_user(world.owner.slack_user_id or ""))


def test_worker_killed_between_claim_and_send_loses_nothing(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, clock: Clock, session: Session
) -> None:
    nudge = world.nudge(world.item())
    # A worker claims the message and dies before sending: its lease is all that is left.
    with transaction(worker.ctx.session_factory) as s:
        claimed = outbox.claim(s, worker_id="died", now=clock.now, limit=10, lease=worker.lease)
    assert [m.payload["nudge_id"] for m in claimed] == [nudge.id]
    worker.run_until_idle()
    assert _dms(emulator, world) == 0  # not before the dead worker's lease runs out
    clock.advance(worker.lease.total_seconds() + 1)
    worker.run_until_idle()
    assert _dms(emulator, world) == 1
    assert world.refreshed(nudge).state is NudgeState.sent
    clock.advance(3600)
    worker.run_until_idle()
    assert _dms(emulator, world) == 1


def test_two_workers_each_nudge_sent_once(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, slack_settings, session_factory,  # type: ignore[no-untyped-def]
    clock: Clock, session: Session,
) -> None:
    nudges = [world.nudge(world.item(title=f"Item {n}")) for n in range(12)]
    other = build_worker(slack_settings, session_factory, worker_id="second")
    other.ctx.clock = clock
    other.batch_size = worker.batch_size = 4
    # Interleave the two workers' claims and deliveries: neither may touch the other's messages.
    for _ in range(6):
        worker.run_once()
        other.run_once()
    session.expire_all()
    states = {n.id: session.get(Nudge, n.id).state for n in nudges}
    assert set(states.values()) == {NudgeState.sent}
    assert _dms(emulator, world) == 12
    leftover = outbox.claim(session, worker_id="probe", now=clock.now, limit=50, lease=worker.lease)
    assert leftover == []  # nothing left to do, nothing sent twice


def test_after_six_hours_down_only_what_is_due_now_is_sent(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, clock: Clock, session: Session
) -> None:
    today = date.today()
    monday = today + timedelta(days=(7 - today.weekday()) % 7 or 7)
    now = datetime.combine(monday, time(10, 0), tzinfo=UTC)
    item = world.item(days=(monday - timedelta(days=6) - today).days)  # six days overdue on Monday
    # The worker was down: the item's check was due six hours ago and several reminders passed.
    session.execute(update(NudgeSchedule).where(NudgeSchedule.action_item_id == item.id)
                    .values(next_at=now - timedelta(hours=6)))
    session.commit()
    assert sweep(session, now=now) == 1
    session.commit()
    assert sweep(session, now=now) == 0  # a second sweep (or a second worker) records nothing
    recorded = session.scalars(select(Nudge).where(Nudge.action_item_id == item.id)).all()
    assert [n.kind for n in recorded] == [NudgeKind.escalation]
    clock.offset = now - datetime.now(UTC)
    worker.run_until_idle()
    assert _dms(emulator, world) == 0  # the owner is not flooded with stale reminders
    assert len(emulator.messages_for_user(world.lead.slack_user_id or "")) == 1
    assert len(emulator.messages_in_channel(world.channel_id)) == 1
