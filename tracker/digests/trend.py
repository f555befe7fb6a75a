"""The headline figures of a scope's digests over the weeks up to one week, read in two queries.

Each week's figures are exactly what that week's digest (builder.build_digest) counts, built
today: items completed in the week (its bounds in the scope's timezone), open items that
became overdue during it, and open items overdue in all by its end (as of its Sunday, or today
while it runs). Like the digest, "overdue" reads the items as they are now: an item that was
late in an earlier week and has been finished since no longer counts there. The page shows the
chart next to the digest, so the two must never disagree; a test holds them to that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select, text
from sqlalchemy.orm import Session

from tracker.actions.models import DONE_PHASE_SQL, OPEN_PHASES_SQL, ActionItem
from tracker.digests.builder import Scope
from tracker.digests.weeks import Week
from tracker.nudges.policy import zone

WEEKS = 8


@dataclass(frozen=True)
class WeekTotals:
    week: str  # "2026-W47"
    period: str  # "16-22 Nov 2026"
    completed: int
    newly_overdue: int
    overdue: int  # newly and still overdue together: the digest's "overdue in all"


def _count_if(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def trend(session: Session, scope: Scope, last: Week, *, today: date, count: int = WEEKS) -> list[WeekTotals]:
    """`count` weeks ending with `last`, oldest first."""
    weeks = [last]
    while len(weeks) < count:
        weeks.append(weeks[-1].previous())
    weeks.reverse()
    tz = zone(scope.tz_name)
    bounds = [w.bounds(tz) for w in weeks]
    as_of = [min(today, w.sunday) for w in weeks]  # the builder's day "overdue" is judged on
    # The text predicates are the partial indexes' own, so both planners walk only those rows.
    done = session.execute(
        select(*(_count_if(and_(ActionItem.completed_at >= start, ActionItem.completed_at < end))
                 for start, end in bounds))
        .where(text(DONE_PHASE_SQL), scope.items(),
               ActionItem.completed_at >= bounds[0][0], ActionItem.completed_at < bounds[-1][1])).one()
    # Newly overdue in week i: the deadline passed during it, i.e. fell on its Sunday-before to
    # the day before as_of; overdue in all: any deadline before as_of.
    newly = [_count_if(and_(ActionItem.deadline >= w.monday - timedelta(days=1), ActionItem.deadline < day))
             for w, day in zip(weeks, as_of, strict=True)]
    overdue = [_count_if(ActionItem.deadline < day) for day in as_of]
    late = session.execute(
        select(*newly, *overdue)
        .where(text(OPEN_PHASES_SQL), scope.items(), ActionItem.deadline < max(as_of))).one()
    n = len(weeks)
    return [WeekTotals(week=w.label, period=w.period(), completed=int(done[i]), newly_overdue=int(late[i]),
                       overdue=int(late[n + i])) for i, w in enumerate(weeks)]
