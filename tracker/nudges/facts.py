"""Loading what the policy needs for many items at once: one joined query plus one for history.

Both the sweep (due schedule rows, locked) and the schedule listener (one item that just
changed) go through here, so there is one definition of how rows become `policy.Facts`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, aliased

from tracker.actions.models import ActionItem
from tracker.nudges.models import Nudge, NudgeKind, NudgePolicy, NudgeSchedule
from tracker.nudges.policy import OVERDUE_HISTORY_DAYS, Facts, Rules, Sent
from tracker.people.models import Person, Team

Owner = aliased(Person, name="owner")
Lead = aliased(Person, name="lead")

_POLICY_COLUMNS = [getattr(NudgePolicy, name) for name in Rules.field_names()]


def facts_select(*, from_schedule: bool) -> Select[Any]:
    """Item, owner and lead timezones, team policy and snooze state, in one row per item.

    `from_schedule`: start from nudge_schedule (the sweep: only scheduled rows, lockable with
    FOR UPDATE OF nudge_schedule); otherwise start from the item and outer-join its schedule.
    """
    columns = [
        ActionItem.id, ActionItem.phase, ActionItem.deadline, ActionItem.assigned_at,
        ActionItem.work_plan_submitted_at, ActionItem.owner_id, ActionItem.team_id,
        Team.lead_id, Team.slack_channel, Team.timezone.label("team_tz"),
        Owner.timezone.label("owner_tz"), Lead.timezone.label("lead_tz"),
        NudgeSchedule.snoozes, NudgeSchedule.snoozed_until, NudgePolicy.id.label("policy_id"),
        *_POLICY_COLUMNS,
    ]
    if from_schedule:
        stmt = select(*columns).select_from(NudgeSchedule).join(
            ActionItem, ActionItem.id == NudgeSchedule.action_item_id)
    else:
        stmt = select(*columns).select_from(ActionItem).outerjoin(
            NudgeSchedule, NudgeSchedule.action_item_id == ActionItem.id)
    return (
        stmt.join(Owner, Owner.id == ActionItem.owner_id)
        .join(Team, Team.id == ActionItem.team_id)
        .outerjoin(Lead, Lead.id == Team.lead_id)
        .outerjoin(NudgePolicy, NudgePolicy.team_id == ActionItem.team_id)
    )


def history(session: Session, item_ids: Iterable[int], *, now: datetime) -> dict[int, tuple[Sent, ...]]:
    """Recorded nudges of these items. Old overdue reminders are left out: only the recent ones
    matter for the cadence, and an item overdue for a year must not drag hundreds of rows."""
    ids = list(item_ids)
    if not ids:
        return {}
    since = now - timedelta(days=OVERDUE_HISTORY_DAYS)
    rows = session.execute(
        select(Nudge.action_item_id, Nudge.kind, Nudge.slot, Nudge.created_at)
        .where(Nudge.action_item_id.in_(ids),
               or_(Nudge.kind != NudgeKind.overdue, Nudge.created_at >= since))
    )
    sent: dict[int, list[Sent]] = defaultdict(list)
    for item_id, kind, slot, at in rows:
        sent[item_id].append(Sent(kind, slot, at))
    return {k: tuple(v) for k, v in sent.items()}


def to_facts(row: Any, sent: tuple[Sent, ...]) -> Facts:
    rules = Rules.of(row) if row.policy_id is not None else Rules()
    return Facts(
        item_id=row.id, phase=row.phase, deadline=row.deadline, assigned_at=row.assigned_at,
        work_plan_submitted=row.work_plan_submitted_at is not None, owner_tz=row.owner_tz,
        lead_tz=row.lead_tz or row.team_tz, rules=rules, snoozes=row.snoozes or 0,
        snoozed_until=row.snoozed_until, sent=sent,
    )


def facts_for_item(session: Session, item_id: int, *, now: datetime) -> tuple[Any, Facts] | None:
    row = session.execute(facts_select(from_schedule=False).where(ActionItem.id == item_id)).first()
    if row is None:
        return None
    return row, to_facts(row, history(session, [item_id], now=now).get(item_id, ()))
