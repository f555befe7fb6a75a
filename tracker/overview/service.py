"""The programme at a glance: what the home page shows and `GET /programme/overview` returns.

Every figure is an aggregate computed by the database (GROUP BY over indexed columns), so the
cost follows the number of groups, not the number of action items. The rules come from the
domains that own them: open phases and the overdue rule from actions (a deadline has passed
once the day after it begins), moment status from moments.status, training completeness as
in the phase machine's done gate.
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
from tracker.moments.models import MomentOfTruth
from tracker.moments.status import MomentStatus, statuses_for
from tracker.overview.schemas import (
    ClosedLoop,
    OverdueGroup,
    PhaseCount,
    ProgrammeOverview,
    StatusCount,
    TrainingProgress,
)
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


def _overdue_by(session: Session, column: Any, entity: type[Team] | type[Person], *, today: date,
                limit: int | None = None) -> list[OverdueGroup]:
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
    if limit is not None:
        stmt = stmt.limit(limit)
    return [OverdueGroup(id=k, name=n, count=int(c), oldest_deadline=o) for k, n, c, o in session.execute(stmt)]


def _owners_with_overdue(session: Session, today: date) -> int:
    return session.scalar(
        select(func.count(func.distinct(ActionItem.owner_id)))
        .where(text(OPEN_PHASES_SQL), ActionItem.deadline < today)
    ) or 0


def moments_by_status(session: Session) -> tuple[int, list[StatusCount]]:
    ids = list(session.scalars(select(MomentOfTruth.id)))
    counts = Counter(statuses_for(session, ids).values())
    return len(ids), [StatusCount(status=s, count=counts.get(s, 0)) for s in MomentStatus]


def closed_loop(session: Session) -> ClosedLoop:
    """Customers to tell about fixes that are still going ahead (cancelled items' lists are moot)."""
    rows = session.execute(
        select(ChecklistEntry.status, func.count())
        .join(ActionItem, ActionItem.id == ChecklistEntry.action_item_id)
        .where(ActionItem.phase != Phase.cancelled)
        .group_by(ChecklistEntry.status)
    ).all()
    counts = {NotificationStatus(s): int(n) for s, n in rows}
    told = sum(counts.get(s, 0) for s in TOLD)
    total = sum(counts.values())
    return ClosedLoop(told=told, to_tell=counts.get(NotificationStatus.pending, 0),
                      unreachable=counts.get(NotificationStatus.unreachable, 0), total=total,
                      percent=percent(told, total))


def training(session: Session) -> TrainingProgress:
    complete = (TrainingRecord.sessions_held > 0) & (TrainingRecord.people_trained >= TrainingRecord.target_count)
    capped = case((TrainingRecord.people_trained > TrainingRecord.target_count, TrainingRecord.target_count),
                  else_=TrainingRecord.people_trained)
    items, done, trained, target = session.execute(
        select(func.count(), func.sum(case((complete, 1), else_=0)), func.sum(capped),
               func.sum(TrainingRecord.target_count))
        .join(ActionItem, ActionItem.id == TrainingRecord.action_item_id)
        .where(TrainingRecord.needed.is_(True), ActionItem.training_waived_reason.is_(None),
               ActionItem.phase != Phase.cancelled)
    ).one()
    trained, target = int(trained or 0), int(target or 0)
    return TrainingProgress(items=int(items), items_complete=int(done or 0), people_trained=trained,
                            target=target, percent=percent(trained, target))


def broken_links(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(TicketLink)
                          .where(TicketLink.state == LinkState.broken)) or 0


def programme_overview(session: Session, *, today: date, weeks: int = WEEKS) -> ProgrammeOverview:
    phases = items_by_phase(session)
    by_team = _overdue_by(session, ActionItem.team_id, Team, today=today)
    moments_total, statuses = moments_by_status(session)
    return ProgrammeOverview(
        as_of=today,
        items_total=sum(p.count for p in phases),
        items_by_phase=phases,
        overdue_total=sum(g.count for g in by_team),
        overdue_by_team=by_team,
        overdue_by_owner=_overdue_by(session, ActionItem.owner_id, Person, today=today, limit=OWNER_LIMIT),
        owners_with_overdue=_owners_with_overdue(session, today),
        moments_total=moments_total,
        moments_by_status=statuses,
        closed_loop=closed_loop(session),
        training=training(session),
        broken_ticket_links=broken_links(session),
        weeks=weekly_figures(session, today=today, count=weeks),
    )
