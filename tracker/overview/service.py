"""The programme at a glance: what the home page shows and `GET /programme/overview` returns.

The database aggregates (GROUP BY, conditional sums); Python only sees the groups, a few rows
each, and the number of statements is fixed. What each figure reads: the phase counts, the
moment statuses, the closed loop and training read their whole table once (they describe all
of it); the overdue lists read open items past their deadline through the partial index of
open items; the weekly figures read their twelve weeks (see weeks.py). The rules come from
the domains that own them: open phases and the overdue rule from actions (a deadline has
passed once the day after it begins), moment status from moments.status, training
completeness as in the phase machine's done gate.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import case, func, select, text
from sqlalchemy.orm import Session

from tracker.actions.models import (
    OPEN_PHASES_SQL,
    ActionItem,
    ChecklistEntry,
    NotificationStatus,
    Phase,
    TrainingRecord,
)
from tracker.moments.status import MomentStatus
from tracker.overview.schemas import (
    ClosedLoop,
    OverdueGroup,
    PhaseCount,
    ProgrammeOverview,
    StatusCount,
    TrainingProgress,
)
from tracker.overview.statuses import all_statuses
from tracker.overview.weeks import TOLD, weekly_figures
from tracker.people.models import Person, Team
from tracker.sync.models import LinkState, TicketLink

OWNER_LIMIT = 20  # the home lists the owners most behind; the action board filters the rest
WEEKS = 12


def percent(done: int, total: int) -> int:
    """Rounded down: 99.6% must not read as finished."""
    return min(100, done * 100 // total) if total > 0 else 0


def items_by_phase(session: Session) -> list[PhaseCount]:
    counts = dict(session.execute(select(ActionItem.phase, func.count()).group_by(ActionItem.phase)).all())
    return [PhaseCount(phase=p, count=int(counts.get(p, 0))) for p in Phase]


def _overdue_by(session: Session, column: Any, entity: type[Team] | type[Person], *,
                today: date) -> list[OverdueGroup]:
    """Open items past their deadline per `column`, most first; the text predicate is the
    partial index's own, so the planner walks only open items."""
    grouped = (
        select(column.label("key"), func.count().label("n"), func.min(ActionItem.deadline).label("oldest"))
        .where(text(OPEN_PHASES_SQL), ActionItem.deadline < today)
        .group_by(column)
        .subquery()
    )
    stmt = (select(grouped.c.key, entity.name, grouped.c.n, grouped.c.oldest)
            .join_from(grouped, entity, entity.id == grouped.c.key)
            .order_by(grouped.c.n.desc(), entity.name, grouped.c.key))
    return [OverdueGroup(id=k, name=n, count=int(c), oldest_deadline=o) for k, n, c, o in session.execute(stmt)]


def moments_by_status(session: Session) -> tuple[int, list[StatusCount]]:
    statuses = all_statuses(session)
    counts = Counter(statuses.values())
    return len(statuses), [StatusCount(status=s, count=counts.get(s, 0)) for s in MomentStatus]


def _entries_by_status(session: Session, *where: Any) -> Counter[NotificationStatus]:
    stmt = select(ChecklistEntry.status, func.count()).group_by(ChecklistEntry.status)
    if where:
        stmt = stmt.join(ActionItem, ActionItem.id == ChecklistEntry.action_item_id).where(*where)
    return Counter({NotificationStatus(s): int(n) for s, n in session.execute(stmt)})


def closed_loop(session: Session) -> ClosedLoop:
    """Customers to tell about fixes that are still going ahead (cancelled items' lists are moot).

    All entries minus those of cancelled items: two narrow queries (a scan of the entries, and
    the cancelled items by their phase index) instead of joining every entry to its item.
    """
    counts = _entries_by_status(session)
    counts.subtract(_entries_by_status(session, ActionItem.phase == Phase.cancelled))
    told = sum(counts[s] for s in TOLD)
    total = sum(counts.values())
    return ClosedLoop(told=told, to_tell=counts[NotificationStatus.pending],
                      unreachable=counts[NotificationStatus.unreachable], total=total,
                      percent=percent(told, total))


def _training_sums(session: Session, *where: Any) -> tuple[int, int, int, int]:
    complete = (TrainingRecord.sessions_held > 0) & (TrainingRecord.people_trained >= TrainingRecord.target_count)
    capped = case((TrainingRecord.people_trained > TrainingRecord.target_count, TrainingRecord.target_count),
                  else_=TrainingRecord.people_trained)
    stmt = select(func.count(), func.sum(case((complete, 1), else_=0)), func.sum(capped),
                  func.sum(TrainingRecord.target_count)).where(TrainingRecord.needed.is_(True))
    if where:
        stmt = stmt.join(ActionItem, ActionItem.id == TrainingRecord.action_item_id).where(*where)
    items, done, trained, target = session.execute(stmt).one()
    return int(items), int(done or 0), int(trained or 0), int(target or 0)


def training(session: Session) -> TrainingProgress:
    """Items that need training, not waived and not cancelled (as the done gate sees them).

    All records that need training, minus those of cancelled or waived items: a scan of the
    records and a narrow query, instead of joining every record to its item.
    """
    everything = _training_sums(session)
    left_out = _training_sums(session, (ActionItem.phase == Phase.cancelled)
                              | ActionItem.training_waived_reason.is_not(None))
    items, done, trained, target = (a - b for a, b in zip(everything, left_out, strict=True))
    return TrainingProgress(items=items, items_complete=done, people_trained=trained, target=target,
                            percent=percent(trained, target))


def broken_links(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(TicketLink)
                          .where(TicketLink.state == LinkState.broken)) or 0


def programme_overview(session: Session, *, today: date, weeks: int = WEEKS) -> ProgrammeOverview:
    phases = items_by_phase(session)
    by_team = _overdue_by(session, ActionItem.team_id, Team, today=today)
    # Every owner behind (one row each: a few thousand at most), so the count needs no second scan.
    by_owner = _overdue_by(session, ActionItem.owner_id, Person, today=today)
    moments_total, statuses = moments_by_status(session)
    return ProgrammeOverview(
        as_of=today,
        items_total=sum(p.count for p in phases),
        items_by_phase=phases,
        overdue_total=sum(g.count for g in by_team),
        overdue_by_team=by_team,
        overdue_by_owner=by_owner[:OWNER_LIMIT],
        owners_with_overdue=len(by_owner),
        moments_total=moments_total,
        moments_by_status=statuses,
        closed_loop=closed_loop(session),
        training=training(session),
        broken_ticket_links=broken_links(session),
        weeks=weekly_figures(session, today=today, count=weeks),
    )
