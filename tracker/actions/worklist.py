"""A person's work list ("My work"): their open items by deadline, what stands between each one
and done, and the actions the Slack buttons offer, read in a few batch queries. The page
(`/app/my-work`) and the API (`GET /my-work`) both show it.

The next step is the one the Slack "Mark ..." button offers (`main_line_next`), so the page and
the message never disagree about where an item goes next.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.actions import phases
from tracker.actions.access import get_item, may_edit
from tracker.actions.models import (
    CLOSED_PHASES,
    OPEN_PHASES,
    ActionItem,
    ChecklistEntry,
    NotificationStatus,
    Phase,
    TrainingRecord,
)
from tracker.actions.queries import ActionFilters, list_query
from tracker.activity.models import ActivityEntry
from tracker.nudges.messages import main_line_next
from tracker.nudges.models import NudgePolicy, NudgeSchedule
from tracker.nudges.policy import Rules
from tracker.people.models import Person, Team
from tracker.sync.models import LinkState, TicketLink
from tracker.types import utcnow

ROWS_SHOWN = 200  # an owner with more sees the 200 most urgent and the count
FINISHED_DAYS = 14
FINISHED_SHOWN = 20
PHASE_WORDS = {Phase.closing_loop: "closing the loop"}


def phase_words(phase: Phase) -> str:
    return PHASE_WORDS.get(phase, phase.value.replace("_", " "))


@dataclass(frozen=True)
class Blocker:
    kind: str  # work_plan | training | checklist | ticket | blocked
    text: str


@dataclass(frozen=True)
class NextStep:
    to: Phase
    label: str  # what the Slack button says: "Mark closing the loop"
    held_by: list[str]  # done-gate blockers: the button is shown disabled, with the reason


@dataclass(frozen=True)
class Snooze:
    used: int
    limit: int
    days: int
    until: datetime | None  # reminders are held until then (only when still ahead)

    @property
    def allowed(self) -> bool:
        return self.used < self.limit


@dataclass(frozen=True)
class WorkRow:
    item: ActionItem
    team: str
    link: TicketLink | None
    overdue: bool
    days_left: int
    blockers: list[Blocker]
    next_step: NextStep | None
    snooze: Snooze
    can_act: bool
    seen_activity: int

    @property
    def open(self) -> bool:
        return self.item.phase not in CLOSED_PHASES


@dataclass(frozen=True)
class MyWork:
    rows: list[WorkRow]
    total: int  # open items in all (rows holds at most ROWS_SHOWN)
    overdue: int
    finished: list[ActionItem]  # done in the last FINISHED_DAYS days, newest first

    @property
    def row_ids(self) -> set[int]:
        return {r.item.id for r in self.rows}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _sentence(text: str | None, fallback: str) -> str:
    return (text or fallback).strip().rstrip(".") + "."


def blockers_of(item: ActionItem, gate: phases.GateState, training: TrainingRecord | None,
                link: TicketLink | None) -> list[Blocker]:
    """What stops the item from being done, in the words the owner acts on."""
    found: list[Blocker] = []
    if item.phase is Phase.blocked:
        found.append(Blocker("blocked", "Blocked: " + _sentence(item.blocked_reason, "no reason given")))
    if item.work_plan is None:
        found.append(Blocker("work_plan", "No work plan yet: submit one so the team knows how it gets fixed."))
    missing = phases.done_blockers(gate)
    if "training" in missing and training is not None:
        found.append(Blocker("training", f"Training unfinished: {training.people_trained} of "
                             f"{training.target_count} people trained in "
                             f"{_plural(training.sessions_held, 'session')}."))
    if "checklist" in missing:
        found.append(Blocker("checklist", f"{_plural(gate.pending_checklist, 'customer')} still to tell "
                             "about the fix (closed-loop checklist)."))
    if link is not None and link.state is LinkState.broken:
        key = f" {link.remote_key}" if link.remote_key else ""
        why = _sentence(link.broken_reason, "no reason recorded")
        found.append(Blocker("ticket", f"Ticket{key} link broken: {why} "
                             "Changes no longer reach the ticket until a lead resumes it."))
    return found


def next_step_of(item: ActionItem, gate: phases.GateState) -> NextStep | None:
    target = main_line_next(item, gate)
    if target is None:
        return None
    held = phases.done_blockers(gate) if target is Phase.done else []
    return NextStep(to=target, label=f"Mark {phase_words(target)}", held_by=held)


def rows_for(session: Session, person: Person, items: Sequence[ActionItem], *, today: date,
             now: datetime | None = None) -> list[WorkRow]:
    """Everything a row shows, for many items in a fixed number of queries."""
    ids = [i.id for i in items]
    if not ids:
        return []
    now = now or utcnow()
    teams = dict(session.execute(select(Team.id, Team.name).where(Team.id.in_({i.team_id for i in items}))).all())
    links = {link.action_item_id: link for link in session.scalars(
        select(TicketLink).where(TicketLink.action_item_id.in_(ids)))}
    training = {t.action_item_id: t for t in session.scalars(
        select(TrainingRecord).where(TrainingRecord.action_item_id.in_(ids)))}
    pending = dict(session.execute(
        select(ChecklistEntry.action_item_id, func.count())
        .where(ChecklistEntry.action_item_id.in_(ids), ChecklistEntry.status == NotificationStatus.pending)
        .group_by(ChecklistEntry.action_item_id)).all())
    seen = dict(session.execute(select(ActivityEntry.action_item_id, func.max(ActivityEntry.id))
                                .where(ActivityEntry.action_item_id.in_(ids))
                                .group_by(ActivityEntry.action_item_id)).all())
    schedules = {s.action_item_id: s for s in session.scalars(
        select(NudgeSchedule).where(NudgeSchedule.action_item_id.in_(ids)))}
    policies = {p.team_id: Rules.of(p) for p in session.scalars(
        select(NudgePolicy).where(NudgePolicy.team_id.in_({i.team_id for i in items})))}
    rows = []
    for item in items:
        record = training.get(item.id)
        gate = phases.gate_of(item, record, pending.get(item.id, 0))
        rules = policies.get(item.team_id, Rules())
        schedule = schedules.get(item.id)
        until = schedule.snoozed_until if schedule is not None else None
        link = links.get(item.id)
        rows.append(WorkRow(
            item=item, team=teams.get(item.team_id, "?"), link=link,
            overdue=item.deadline < today and item.phase not in CLOSED_PHASES,
            days_left=(item.deadline - today).days,
            blockers=blockers_of(item, gate, record, link),
            next_step=next_step_of(item, gate),
            snooze=Snooze(used=schedule.snoozes if schedule is not None else 0, limit=rules.max_snoozes,
                          days=rules.snooze_days, until=until if until is not None and until > now else None),
            can_act=may_edit(person, item), seen_activity=seen.get(item.id) or 0))
    return rows


def row_for(session: Session, person: Person, item_id: int, *, today: date) -> WorkRow:
    return rows_for(session, person, [get_item(session, item_id)], today=today)[0]


def my_work(session: Session, *, person: Person, today: date) -> MyWork:
    # The API's own list query: the (owner_id, phase, deadline, id) index serves filter and order.
    mine = list_query(ActionFilters(owner_id=person.id, phases=OPEN_PHASES), today=today)
    items = list(session.scalars(mine.order_by(ActionItem.deadline, ActionItem.id).limit(ROWS_SHOWN)))
    total = len(items)
    if total == ROWS_SHOWN:
        total = session.scalar(select(func.count()).select_from(mine.subquery())) or 0
    overdue = sum(1 for i in items if i.deadline < today)
    if overdue == ROWS_SHOWN:  # every shown row is overdue: count the rest too
        late = list_query(ActionFilters(owner_id=person.id, overdue=True), today=today)
        overdue = session.scalar(select(func.count()).select_from(late.subquery())) or 0
    since = utcnow() - timedelta(days=FINISHED_DAYS)
    finished = list(session.scalars(
        list_query(ActionFilters(owner_id=person.id, phases=(Phase.done,)), today=today)
        .where(ActionItem.completed_at >= since)
        .order_by(ActionItem.completed_at.desc(), ActionItem.id.desc()).limit(FINISHED_SHOWN)))
    return MyWork(rows=rows_for(session, person, items, today=today), total=total, overdue=overdue,
                  finished=finished)
