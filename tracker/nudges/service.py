"""Nudge rules a person acts on: snoozing, a team's policy, an item's nudge history."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from tracker.actions.access import ensure_can_edit, ensure_lead, get_item
from tracker.actions.hooks import after_change
from tracker.actions.models import CLOSED_PHASES
from tracker.activity.service import apply_changes, record
from tracker.api.versioning import check_version
from tracker.errors import Conflict, InvalidInput, NotFound, PreconditionFailed
from tracker.nudges.models import Nudge, NudgeKind, NudgePolicy, NudgeState
from tracker.nudges.policy import Rules
from tracker.nudges.schedule import recompute, reevaluate_team, schedule_row
from tracker.nudges.sweep import NUDGE_KIND
from tracker.outbox.service import enqueue
from tracker.people.models import Person, Team
from tracker.types import utcnow


def policy_row(session: Session, team_id: int) -> NudgePolicy | None:
    return session.scalars(select(NudgePolicy).where(NudgePolicy.team_id == team_id)).first()


def rules_for(session: Session, team_id: int) -> Rules:
    return Rules.of(policy_row(session, team_id))


def snooze(
    session: Session, *, actor: Person | None, item_id: int, actor_label: str | None = None,
    now: datetime | None = None,
) -> datetime:
    """Hold the item's nudges for the team's `snooze_days`; returns until when.

    Only the owner or a lead may snooze. At the team's `max_snoozes` the snooze is refused
    (409) and the next reminder that falls due goes to the lead as an escalation.
    """
    now = now or utcnow()
    item = get_item(session, item_id)
    ensure_can_edit(actor, item)
    if item.phase in CLOSED_PHASES:
        raise Conflict(f"action item {item.id} is {item.phase.value}: it gets no nudges to snooze",
                       field="phase", current=item.phase.value)
    rules = rules_for(session, item.team_id)
    row = schedule_row(session, item.id)
    used = row.snoozes or 0
    if used >= rules.max_snoozes:
        raise Conflict(
            f"action item {item.id} has been snoozed {used} times, the team's limit "
            f"(max_snoozes={rules.max_snoozes}); the next reminder goes to the team's lead",
            field="max_snoozes", limit=rules.max_snoozes, snoozes=used,
        )
    until = now + timedelta(days=rules.snooze_days)
    changes = apply_changes(row, {"snoozes": used + 1, "snoozed_until": until})
    session.flush()
    after_change(session, item, actor=actor, actor_label=actor_label, action="snoozed",
                 entity_type="nudge_schedule", entity_id=item.id, changes=changes)
    recompute(session, item.id, now=now)
    return until


# --- a team's policy -------------------------------------------------------------------------

def get_policy(session: Session, team_id: int) -> tuple[Rules, int]:
    """The team's effective rules and their version (0: the defaults, no row yet)."""
    if session.get(Team, team_id) is None:
        raise NotFound("team", team_id)
    row = policy_row(session, team_id)
    return Rules.of(row), (row.version if row is not None else 0)


def put_policy(
    session: Session, *, actor: Person, team_id: int, expected_version: int, data: dict[str, Any],
    now: datetime | None = None,
) -> tuple[Rules, int]:
    """Set the team's rules (fields left out keep their value); leads only; versioned."""
    ensure_lead(actor, "change a team's nudge policy")
    current, version = get_policy(session, team_id)
    if expected_version != version:
        raise_stale(team_id, version, expected_version)
    merged = {**asdict(current), **{k: v for k, v in data.items() if v is not None}}
    check_rules(Rules(**merged))
    row = policy_row(session, team_id)
    if row is None:
        row = NudgePolicy(team_id=team_id, **merged)
        session.add(row)
        changes = {k: {"from": v, "to": merged[k]} for k, v in asdict(current).items() if merged[k] != v}
    else:
        check_version(row, expected_version, "nudge policy")
        changes = apply_changes(row, merged)
    session.flush()
    if changes or version == 0:
        record(session, actor=actor, entity_type="nudge_policy", entity_id=row.id,
               action="updated" if version else "created", changes=changes)
        reevaluate_team(session, team_id, now=now or utcnow())
    return Rules.of(row), row.version


def check_rules(rules: Rules) -> None:
    """What the schema's per-field bounds cannot see: the fields taken together. The policy
    page's preview calls it too, so it refuses exactly what saving would."""
    if rules.workday_end_hour <= rules.workday_start_hour:
        raise InvalidInput("workday_end_hour must be after workday_start_hour", field="workday_end_hour")


def raise_stale(team_id: int, version: int, expected: int) -> None:
    raise PreconditionFailed(
        f"team {team_id}'s nudge policy is at version {version}, you edited version {expected}; "
        "reload it and apply your change again", field="version", current_version=version)


def nudges_query(session: Session, item_id: int) -> Select[Any]:
    get_item(session, item_id)
    return select(Nudge).where(Nudge.action_item_id == item_id)


def nudge_now(session: Session, *, actor: Person, item_id: int, today: date | None = None) -> Nudge:
    """A lead chasing an item sends its owner a reminder now, outside the schedule.

    The kind follows the item's state (overdue, due today, before due, or the work-plan
    reminder); the slot carries the time, so each manual nudge is its own and is sent once.
    """
    ensure_lead(actor, "send a nudge by hand")
    item = get_item(session, item_id)
    if item.phase in CLOSED_PHASES:
        raise Conflict(f"action item {item.id} is {item.phase.value}; nobody is nudged about it", field="phase")
    today = today or utcnow().date()
    if item.deadline < today:
        kind = NudgeKind.overdue
    elif item.deadline == today:
        kind = NudgeKind.due_today
    elif item.work_plan is None:
        kind = NudgeKind.work_plan
    else:
        kind = NudgeKind.before_due
    nudge = Nudge(action_item_id=item.id, kind=kind, slot=f"manual:{utcnow().strftime('%Y%m%dT%H%M%S.%f')}",
                  recipient_id=item.owner_id, state=NudgeState.pending)
    session.add(nudge)
    session.flush()
    enqueue(session, kind=NUDGE_KIND, payload={"nudge_id": nudge.id}, ordering_key=f"nudge:{item.id}")
    record(session, actor=actor, entity_type="nudge", entity_id=nudge.id, action="nudged_by_hand",
           changes={"kind": kind}, action_item_id=item.id, moment_id=item.moment_id)
    return nudge
