"""The weekly digest of a team (or the whole programme): what moved, what is late, what closed.

The week is Monday 00:00 to Sunday 24:00 in the team's timezone (UTC for the programme).
Sections come from the activity log (phase changes in the week) and from the items' current
state: the digest is meant to be built right after its week (Monday morning), when the two
agree. "Overdue" uses the tracker's rule (a deadline has passed once the day after it begins),
as of the week's Sunday, or today while the week is still running:

- Moved this week: every phase change logged in the week, grouped by the phase reached.
- Completed: items done during the week (and still done).
- Newly overdue: open items whose deadline passed during the week.
- Still overdue, by owner: open items already overdue before the week began.
- Moments of truth whose loop closed: status loop_closed and their last item done this week.
- Fixes verified this week / Fixes that did not move their metric: the before/after verdicts
  whose after window ends this week (tracker/digests/fix_verdicts.py says why that week).
- Closing the loop: checklist counts per item in closing_loop or completed this week.
- Training: people trained vs target for items needing training (not waived) that are past
  planning, or completed this week.
- Broken ticket links: links that stopped syncing, with the reason.

Each section lists at most MAX_LINES lines ("... and N more"); the totals count everything.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, true
from sqlalchemy.orm import Session

from tracker.actions.models import (
    OPEN_PHASES,
    ActionItem,
    ChecklistEntry,
    NotificationStatus,
    Phase,
    TrainingRecord,
)
from tracker.activity.models import ActivityEntry
from tracker.clock import today as clock_today
from tracker.digests.fix_verdicts import fix_sections
from tracker.digests.weeks import Week, parse_week
from tracker.errors import InvalidInput, NotFound
from tracker.messaging.ports import DigestReport, DigestSection
from tracker.moments.models import MomentOfTruth
from tracker.moments.status import MomentStatus, action_moment_id, statuses_for
from tracker.nudges.policy import zone
from tracker.people.models import Person, Team
from tracker.sync.models import LinkState, TicketLink

MAX_LINES = 40
PHASE_ORDER = {p: n for n, p in enumerate(Phase)}


class Scope:
    """"team:<id>" or "programme", resolved to a title, a timezone and an item filter."""

    def __init__(self, session: Session, scope: str) -> None:
        self.key = scope
        self.team: Team | None = None
        if scope == "programme":
            self.title, self.tz_name = "Programme", "UTC"
            return
        prefix, _, raw = scope.partition(":")
        if prefix != "team" or not raw.isdigit() or not 0 < int(raw) < 2**31:
            raise InvalidInput(f"scope must be 'team:<id>' or 'programme', not {scope!r}", field="scope")
        self.team = session.get(Team, int(raw))
        if self.team is None:
            raise NotFound("team", raw)
        self.title, self.tz_name = self.team.name, self.team.timezone

    def items(self) -> ColumnElement[bool]:
        return ActionItem.team_id == self.team.id if self.team is not None else true()


def _capped(lines: list[str]) -> list[str]:
    if len(lines) <= MAX_LINES:
        return lines
    return [*lines[:MAX_LINES], f"... and {len(lines) - MAX_LINES} more"]


class _Build:
    def __init__(self, session: Session, scope: Scope, week: Week, today: date) -> None:
        self.s, self.scope, self.week = session, scope, week
        self.start, self.end = week.bounds(zone(scope.tz_name))
        self.as_of = min(today, week.sunday)  # "overdue" as of the week's end (or today)
        self.totals: dict[str, int] = {}

    def _items(self, *where: Any) -> list[Any]:
        stmt = (select(ActionItem.id, ActionItem.title, ActionItem.deadline, ActionItem.phase,
                       Person.name.label("owner"), ActionItem.owner_id)
                .join(Person, Person.id == ActionItem.owner_id)
                .where(self.scope.items(), *where))
        return list(self.s.execute(stmt.order_by(ActionItem.deadline, ActionItem.id)))

    def _in_week(self, column: Any) -> ColumnElement[bool]:
        return and_(column >= self.start, column < self.end)

    def moved(self) -> DigestSection:
        rows = self.s.execute(
            select(ActivityEntry.changes, ActionItem.title, Person.name)
            .join(ActionItem, ActionItem.id == ActivityEntry.action_item_id)
            .join(Person, Person.id == ActionItem.owner_id)
            .where(ActivityEntry.entity_type == "action_item", ActivityEntry.action == "phase_changed",
                   self._in_week(ActivityEntry.at), self.scope.items())
            .order_by(ActivityEntry.at, ActivityEntry.id))
        moves = []
        for changes, title, owner in rows:
            phase = (changes or {}).get("phase") or {}
            if phase.get("to") in PHASE_ORDER:
                moves.append((PHASE_ORDER[phase["to"]], phase["to"], phase.get("from"), title, owner))
        moves.sort(key=lambda m: m[0])  # stable: within a phase, in the order they happened
        self.totals["moved"] = len(moves)
        return DigestSection("Moved this week", _capped(
            [f"{to}: {title} ({owner}; was {was})" for _, to, was, title, owner in moves]))

    def done_this_week(self) -> ColumnElement[bool]:
        return and_(ActionItem.phase == Phase.done, self._in_week(ActionItem.completed_at))

    def completed(self) -> DigestSection:
        rows = self._items(self.done_this_week())
        self.totals["completed"] = len(rows)
        return DigestSection("Completed", _capped([f"{r.title} ({r.owner})" for r in rows]))

    def overdue(self) -> list[DigestSection]:
        first_day = self.week.monday - timedelta(days=1)  # passed on Monday
        last_day = min(self.week.sunday - timedelta(days=1), self.as_of - timedelta(days=1))
        newly = self._items(ActionItem.phase.in_(OPEN_PHASES), ActionItem.deadline >= first_day,
                            ActionItem.deadline <= last_day)
        still = self._items(ActionItem.phase.in_(OPEN_PHASES),
                            ActionItem.deadline < min(first_day, self.as_of))
        self.totals["newly_overdue"], self.totals["still_overdue"] = len(newly), len(still)
        self.totals["overdue"] = len(newly) + len(still)
        by_owner: dict[str, list[Any]] = defaultdict(list)
        for r in still:
            by_owner[r.owner].append(r)
        still_lines = []
        for owner, rows in sorted(by_owner.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            shown = ", ".join(f"{r.title} ({(self.as_of - r.deadline).days} days)" for r in rows[:10])
            more = f", and {len(rows) - 10} more" if len(rows) > 10 else ""
            still_lines.append(f"{owner} ({len(rows)}): {shown}{more}")
        return [
            DigestSection("Newly overdue", _capped(
                [f"{r.title} ({r.owner}): due {r.deadline:%a %d %b}, {r.phase.value}" for r in newly])),
            DigestSection("Still overdue, by owner", _capped(still_lines)),
        ]

    def moments_closed(self) -> DigestSection:
        lines: list[str] = []
        owner_moment = action_moment_id()
        candidates = {m for (m,) in self.s.execute(
            select(owner_moment).where(self.scope.items(), self.done_this_week())) if m is not None}
        if candidates:
            closed = [m for m, st in statuses_for(self.s, candidates).items()
                      if st is MomentStatus.loop_closed]
            if closed:
                last = self.s.execute(
                    select(owner_moment.label("m"), func.max(ActionItem.completed_at),
                           func.count(), MomentOfTruth.title)
                    .select_from(ActionItem)
                    .join(MomentOfTruth, MomentOfTruth.id == owner_moment)
                    .where(owner_moment.in_(closed), ActionItem.phase == Phase.done)
                    .group_by(owner_moment, MomentOfTruth.title).order_by(MomentOfTruth.title))
                lines = [f"{title} ({n} action items done)" for _, at, n, title in last
                         if at is not None and self.start <= at < self.end]
        self.totals["moments_closed"] = len(lines)
        return DigestSection("Moments of truth whose loop closed", _capped(lines))

    def checklist(self) -> DigestSection:
        rows = self.s.execute(
            select(ActionItem.id, ActionItem.title, ChecklistEntry.status, func.count())
            .join(ChecklistEntry, ChecklistEntry.action_item_id == ActionItem.id)
            .where(self.scope.items(), or_(ActionItem.phase == Phase.closing_loop,
                                           self.done_this_week()))
            .group_by(ActionItem.id, ActionItem.title, ChecklistEntry.status)
            .order_by(ActionItem.title, ActionItem.id))
        per_item: dict[int, tuple[str, dict[str, int]]] = {}
        totals = dict.fromkeys((s.value for s in NotificationStatus), 0)
        for item_id, title, status, n in rows:
            per_item.setdefault(item_id, (title, defaultdict(int)))[1][status.value] += n
            totals[status.value] += n
        order = ("notified", "acknowledged", "unreachable", "pending")
        lines = [f"{title}: " + ", ".join(f"{counts[k]} {k}" for k in order)
                 for title, counts in per_item.values()]
        self.totals.update({f"checklist_{k}": v for k, v in totals.items()})
        return DigestSection("Closing the loop", _capped(lines))

    def training(self) -> DigestSection:
        rows = list(self.s.execute(
            select(ActionItem.title, TrainingRecord.people_trained, TrainingRecord.target_count,
                   TrainingRecord.sessions_held)
            .join(TrainingRecord, TrainingRecord.action_item_id == ActionItem.id)
            .where(self.scope.items(), TrainingRecord.needed.is_(True),
                   ActionItem.training_waived_reason.is_(None),
                   or_(ActionItem.phase.in_([Phase.implementing, Phase.training, Phase.closing_loop]),
                       self.done_this_week()))
            .order_by(ActionItem.title, ActionItem.id)))
        trained, target = sum(r[1] for r in rows), sum(r[2] for r in rows)
        self.totals.update(trained=trained, training_target=target)
        lines = [f"Overall: {trained} of {target} people trained across {len(rows)} items"] if rows else []
        lines += [f"{t}: {n} of {of} people trained ({s} sessions)" for t, n, of, s in rows]
        return DigestSection("Training", _capped(lines))

    def broken_links(self) -> DigestSection:
        rows = list(self.s.execute(
            select(ActionItem.title, TicketLink.remote_key, TicketLink.broken_reason)
            .join(ActionItem, ActionItem.id == TicketLink.action_item_id)
            .where(TicketLink.state == LinkState.broken, self.scope.items())
            .order_by(ActionItem.title, ActionItem.id)))
        self.totals["broken_links"] = len(rows)
        return DigestSection("Broken ticket links", _capped(
            [f"{title} ({key or 'no ticket yet'}): {reason or 'no reason recorded'}"
             for title, key, reason in rows]))


def build_digest(session: Session, *, scope: str, week: str, today: date | None = None) -> DigestReport:
    """The digest of `scope` ("team:<id>" or "programme") for ISO `week` ("2026-W47")."""
    resolved = Scope(session, scope)
    the_week = parse_week(week)
    today = today or clock_today()
    b = _Build(session, resolved, the_week, today)
    fixes = fix_sections(session, items=resolved.items(), week=the_week, today=today)
    b.totals.update(fixes_verified=len(fixes.verified), fixes_not_moved=len(fixes.not_moved))
    verified, not_moved = (DigestSection(s.title, _capped(s.lines), s.empty_text) for s in fixes.sections())
    sections = [b.moved(), b.completed(), *b.overdue(), b.moments_closed(), verified, not_moved,
                b.checklist(), b.training(), b.broken_links()]
    t = b.totals
    headline = (f"{t['moved']} phase changes, {t['completed']} completed, {t['newly_overdue']} newly "
                f"overdue ({t['overdue']} overdue in all), {t['moments_closed']} moments of truth "
                f"closed, {t['broken_links']} broken ticket links.")
    return DigestReport(title=f"{resolved.title}: week {the_week.label}", scope=resolved.key,
                        week=the_week.label, period=the_week.period(), headline=headline,
                        sections=sections, totals=dict(t))
