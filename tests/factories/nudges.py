"""Nudge test data: action items written straight to the tables (no listener), with a schedule
row due when the test says, so a test's clock alone decides what the sweep sees."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from tests import factories
from tracker.actions.models import ActionItem, Phase, Priority
from tracker.nudges.models import NudgeSchedule
from tracker.people.models import Person, Role, Team

_seq = itertools.count(1)


def at(day: date, hour: int = 10, tz: str = "UTC", minute: int = 0) -> datetime:
    """`hour:minute` local time on `day` in `tz`, as an aware UTC datetime."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(tz)).astimezone(UTC)


def crew(session: Session, *, owner_tz: str = "UTC", lead_tz: str = "UTC",
         team_tz: str = "UTC") -> tuple[Person, Person, Team]:
    """An owner, a lead and the lead's team (with a Slack channel)."""
    lead = factories.person(session, Role.lead, timezone=lead_tz)
    owner = factories.person(session, Role.owner, timezone=owner_tz, slack_user_id=f"U{next(_seq):06d}")
    team = factories.team(session, lead_id=lead.id, timezone=team_tz, slack_channel="#cx-team")
    return owner, lead, team


def item(session: Session, *, owner: Person, team: Team, deadline: date, next_at: datetime | None,
         phase: Phase = Phase.implementing, assigned_at: datetime | None = None,
         work_plan: bool = True, **fields: Any) -> ActionItem:
    """An item straight into the table (no hooks), with a schedule row due at `next_at`."""
    assigned = assigned_at or datetime(2020, 1, 1, tzinfo=UTC)
    obj = ActionItem(
        title=fields.pop("title", f"Nudge item {next(_seq)}"), team_id=team.id, owner_id=owner.id,
        deadline=deadline, priority=Priority.medium, phase=phase, assigned_at=assigned,
        work_plan="The plan" if work_plan else None,
        work_plan_submitted_at=assigned if work_plan else None, **fields)
    session.add(obj)
    session.flush()
    if next_at is not None:
        session.add(NudgeSchedule(action_item_id=obj.id, next_at=next_at, snoozes=0))
        session.flush()
    return obj


def bulk_items(session: Session, *, owner: Person, team: Team, count: int, due: int, now: datetime,
               overdue_deadline: date, future_deadline: date, batch: int = 10_000) -> None:
    """`count` open items with schedule rows; `due` of them due at `now` and overdue, the rest
    scheduled in the future. Plain multi-row inserts: fast enough for 1M rows."""
    first = (session.scalar(select(ActionItem.id).order_by(ActionItem.id.desc()).limit(1)) or 0) + 1
    later = now + timedelta(days=30)
    assigned = now - timedelta(days=60)
    for start in range(0, count, batch):
        n = min(batch, count - start)
        ids = range(first + start, first + start + n)
        items = [{"id": i, "title": f"Bulk item {i}", "description": "", "team_id": team.id,
                  "owner_id": owner.id, "priority": Priority.medium, "phase": Phase.implementing,
                  "deadline": overdue_deadline if (i - first) < due else future_deadline,
                  "assigned_at": assigned, "work_plan": "plan", "work_plan_submitted_at": assigned,
                  "created_at": assigned, "updated_at": assigned, "version": 1} for i in ids]
        session.execute(insert(ActionItem), items)
        session.execute(insert(NudgeSchedule), [
            {"action_item_id": i, "next_at": now - timedelta(minutes=1) if (i - first) < due else later,
             "snoozes": 0} for i in ids])
    if session.get_bind().dialect.name == "postgresql":  # explicit ids: move the sequence past them
        session.execute(text("SELECT setval(pg_get_serial_sequence('action_items', 'id'), "
                             "(SELECT max(id) FROM action_items))"))
