"""Keeping `nudge_schedule.next_at` right, so the sweep only ever reads rows that are due.

- Every change of an action item passes `tracker.actions.hooks`; the listener here recomputes the
  item's next check when it is created, changes phase, deadline, owner or team, or gets a work
  plan. A new deadline or owner starts over: the snooze count goes back to 0.
- The sweep moves `next_at` after each decision. Closed items get `next_at` NULL (the row stays:
  a reopened item is rescheduled by the listener).
- A team's policy change sets `next_at = now` for the team's open items: the next sweeps
  re-decide them in batches (only what is due now is ever sent, so this cannot flood).
- Backfill: items that never passed the listener (the demo loader, a backup restore, bulk
  inserts) have no schedule row. `backfill` adds the missing rows, due at once, with one
  INSERT ... SELECT anti-join in batches; the worker runs it 30 s after it starts, then hourly,
  outside the per-minute sweep, so the sweep's cost never depends on how many items exist.

Known gap: a person's timezone or a team's lead changing does not reschedule their items; the
next check still happens at the previously computed moment and is then corrected.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, literal, select, update
from sqlalchemy.orm import Session

from tracker.actions.hooks import ActionItemChange
from tracker.actions.models import OPEN_PHASES, ActionItem
from tracker.nudges.dialect import insert_ignoring_conflicts
from tracker.nudges.facts import facts_for_item
from tracker.nudges.models import NudgeSchedule
from tracker.nudges.policy import CLOSED, next_check
from tracker.types import UTCDateTime, utcnow

RESCHEDULING_FIELDS = frozenset({"phase", "deadline", "owner_id", "team_id", "work_plan_submitted_at"})
RESTARTING_FIELDS = frozenset({"deadline", "owner_id"})  # a new promise: snoozes start over


def schedule_row(session: Session, item_id: int) -> NudgeSchedule:
    row = session.get(NudgeSchedule, item_id)
    if row is None:
        row = NudgeSchedule(action_item_id=item_id, snoozes=0)
        session.add(row)
    return row


def recompute(session: Session, item_id: int, *, now: datetime | None = None) -> NudgeSchedule:
    """Set the item's next check from its current state (creating its schedule row if needed)."""
    now = now or utcnow()
    row = schedule_row(session, item_id)
    session.flush()
    loaded = facts_for_item(session, item_id, now=now)
    if loaded is None or loaded[1].phase in CLOSED:
        row.next_at = None
    else:
        row.next_at = next_check(loaded[1], now)
    return row


def on_action_item_change(session: Session, change: ActionItemChange) -> None:
    if change.entity_type != "action_item":
        return
    touched = set(change.changes)
    if change.action != "created" and not touched & RESCHEDULING_FIELDS:
        return
    row = schedule_row(session, change.item.id)
    if change.action != "created" and touched & RESTARTING_FIELDS:
        row.snoozes = 0
        row.snoozed_until = None
    recompute(session, change.item.id)


def reevaluate_team(session: Session, team_id: int, *, now: datetime) -> None:
    """After a policy change: the team's open items are re-decided by the next sweeps."""
    open_items = select(ActionItem.id).where(ActionItem.team_id == team_id,
                                             ActionItem.phase.in_(OPEN_PHASES))
    session.execute(
        update(NudgeSchedule).where(NudgeSchedule.action_item_id.in_(open_items))
        .values(next_at=now).execution_options(synchronize_session=False)
    )


def backfill(session: Session, *, now: datetime, batch: int = 5000) -> int:
    """Give open items without a schedule row one, due at `now`. Returns how many were added."""
    missing = (
        select(ActionItem.id, literal(now, UTCDateTime), literal(0))
        .where(ActionItem.phase.in_(OPEN_PHASES),
               ~exists().where(NudgeSchedule.action_item_id == ActionItem.id))
        .order_by(ActionItem.id)
        .limit(batch)
    )
    total = 0
    while True:
        stmt = insert_ignoring_conflicts(session, NudgeSchedule).from_select(
            ["action_item_id", "next_at", "snoozes"], missing).returning(NudgeSchedule.action_item_id)
        added = len(session.execute(stmt).all())  # rowcount is -1 here on psycopg
        total += added
        if added < batch:
            return total
