"""The last N ISO weeks of the programme (UTC, as its digest): done, overdue at the end, told.

The database buckets rows by week with a CASE expression, so it returns a few small rows per
series whatever the size of the programme. Done items are found through the partial index of
done items by completion time, so only the window's are read; customers told are read from
all checklist entries (one scan).
A customer counts in the week of the last attempt to reach them: acknowledging a notified
entry stamps its time again (actions.checklist), so each customer counts once.
"Done" counts items done now, in the week of their `completed_at`: reopening clears it and the
next completion sets it again, so an item reopened and done again counts in its last week only.

"Overdue at a week's end" reads each item's history as it was lived, kept as open spans
(tracker/actions/spans.py: one row per stretch an item stayed open under one deadline). An item
counts for week W when, at W's end, it was open (created, not done, not cancelled) and the
deadline it had then had passed as of W's Sunday (the digest's rule; today for the running
week). So moving a deadline later, reopening or cancelling an item leaves past weeks as they
were. Items that existed before the history was kept start with one span from what their rows
held then (the migration that made the table): for those, earlier moves are not known.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, TextClause, and_, case, func, literal, select, text
from sqlalchemy.orm import Session

from tracker.actions.models import DONE_PHASE_SQL, ActionItem, ChecklistEntry, NotificationStatus
from tracker.actions.spans import CURRENT_SQL, OpenSpan
from tracker.digests.weeks import Week, week_of
from tracker.overview.schemas import WeekFigures

UTC = ZoneInfo("UTC")
TOLD = (NotificationStatus.notified, NotificationStatus.acknowledged)


@dataclass(frozen=True)
class Bucket:
    week: Week
    start: datetime
    end: datetime
    as_of: date  # the day "overdue" is judged on: the Sunday, or today in the running week


def buckets(today: date, count: int) -> list[Bucket]:
    """The `count` weeks ending with today's, oldest first."""
    week = week_of(today)
    weeks = [week]
    for _ in range(count - 1):
        weeks.append(weeks[-1].previous())
    result = []
    for w in reversed(weeks):
        start, end = w.bounds(UTC)
        result.append(Bucket(w, start, end, min(today, w.sunday)))
    return result


def _week_index(column: Any, weeks: list[Bucket]) -> Any:
    """SQL: the index of the week `column` falls in (rows are pre-filtered to the window)."""
    return case(*((column < b.end, i) for i, b in enumerate(weeks)), else_=len(weeks))


def _per_week(session: Session, column: Any, weeks: list[Bucket],
              *where: ColumnElement[bool] | TextClause) -> list[int]:
    bucket = _week_index(column, weeks).label("bucket")
    rows = session.execute(
        select(bucket, func.count())
        .where(column >= weeks[0].start, column < weeks[-1].end, *where)
        .group_by(bucket)
    )
    counts = [0] * len(weeks)
    for index, n in rows:
        if 0 <= index < len(weeks):
            counts[index] = int(n)
    return counts


def overdue_statements(weeks: list[Bucket]) -> tuple[Select[Any], Select[Any]]:
    """The two queries of `_overdue_at_ends`: (begins, ends, count) rows of current and ended spans."""
    n = len(weeks)
    begins = case(*((and_(OpenSpan.deadline < b.as_of, OpenSpan.started_at < b.end), i)
                    for i, b in enumerate(weeks)), else_=n).label("begins")
    ends = case(*((OpenSpan.ended_at < b.end, i) for i, b in enumerate(weeks)), else_=n).label("ends")
    current = (select(begins, literal(n), func.count())
               .where(text(CURRENT_SQL), OpenSpan.deadline < weeks[-1].as_of).group_by(begins))
    # A span never overdue in the window gets `begins` = n and adds nothing.
    ended = (select(begins, ends, func.count())
             .where(OpenSpan.ended_at >= weeks[0].end, OpenSpan.deadline < weeks[-1].as_of)
             .group_by(begins, ends))
    return current, ended


def _overdue_at_ends(session: Session, weeks: list[Bucket]) -> list[int]:
    """Items open and overdue at each week's end, counted as intervals, not 12 times over.

    A span counts from the first week end by which it had begun and its deadline had passed
    (both only become truer week by week) until the first week end by which it had ended. The
    database returns (first week, last week + 1) pairs and their counts; adding them up per
    week is a handful of small rows. Two slices, each from its own covering partial index:
    current spans whose deadline has passed (as many as items overdue now), and spans that
    ended after the first week ended (as many as deadline moves, completions and cancellations
    since). Nothing else can have been open and overdue at any week end.
    """
    totals = [0] * len(weeks)
    for stmt in overdue_statements(weeks):
        for first, stop, count in session.execute(stmt):
            for i in range(int(first), int(stop)):
                totals[i] += int(count)
    return totals


def weekly_figures(session: Session, *, today: date, count: int = 12) -> list[WeekFigures]:
    weeks = buckets(today, count)
    # The predicate spelled as the partial index's, so both planners can match it.
    done = _per_week(session, ActionItem.completed_at, weeks, text(DONE_PHASE_SQL))
    told = _per_week(session, ChecklistEntry.notified_at, weeks, ChecklistEntry.status.in_(TOLD))
    overdue = _overdue_at_ends(session, weeks)
    return [
        WeekFigures(week=b.week.label, period=b.week.period(), done=d, overdue_at_end=o, customers_told=t)
        for b, d, o, t in zip(weeks, done, overdue, told, strict=True)
    ]
