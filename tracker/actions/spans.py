"""When each action item was open, and under which deadline: the history behind the programme's
"overdue at a week's end" (tracker/overview/weeks.py), so a past week keeps the figure it had.

One row per stretch of time an item stayed open with one deadline. The current stretch of an
open item has no end. Moving the deadline of an open item ends its stretch and starts another
under the new date; done ends it at `completed_at`, cancelled at the time of the change;
reopening or reinstating starts a new one. A closed item's deadline edits start nothing until it
is open again. An item written already done (the demo, tests) starts with its span from creation
to completion, one written cancelled with none.

Kept by a flush listener rather than by each service function: every ORM write of an item
(create, edit, phase changes, Jira/GitHub pulls, Slack, promote, the demo, test factories)
passes a flush, so no path that moves a deadline or a phase can forget the row. The time of a
change is the item's `updated_at` of that flush (set by the same UPDATE). Writes that bypass the
ORM bring their rows themselves: the backup import carries this table, benchmark seeders insert
theirs.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, Select, event, insert, inspect, literal, select, text, update
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.attributes import History

from tracker.actions.models import DONE_PHASE_SQL, OPEN_PHASES, OPEN_PHASES_SQL, ActionItem, Phase
from tracker.db import Base
from tracker.types import UTCDateTime

CURRENT_SQL = "ended_at IS NULL"  # spelled as the partial indexes' predicate
ENDED_SQL = "ended_at IS NOT NULL"


class OpenSpan(Base):
    """A stretch of time an action item was open under one deadline (see the module docstring)."""

    __tablename__ = "action_item_open_spans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_item_id: Mapped[int] = mapped_column(ForeignKey("action_items.id", ondelete="CASCADE"), index=True)
    deadline: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        # At most one current stretch per item; the listener finds it here.
        Index("uq_action_item_open_spans_current", "action_item_id", unique=True,
              postgresql_where=text(CURRENT_SQL), sqlite_where=text(CURRENT_SQL)),
        # The weekly figures read two slices, each from its own covering index: current
        # stretches whose deadline has passed (as many as items overdue now), and stretches
        # that ended within the window (as many as deadline moves and closures in it).
        # `ended_at` (NULL in every entry) is there for SQLite, which counts the predicate's
        # column as read and would otherwise visit each row.
        Index("ix_action_item_open_spans_current_deadline", "deadline", "started_at", "ended_at",
              postgresql_where=text(CURRENT_SQL), sqlite_where=text(CURRENT_SQL)),
        Index("ix_action_item_open_spans_ended", "ended_at", "started_at", "deadline",
              postgresql_where=text(ENDED_SQL), sqlite_where=text(ENDED_SQL)),
    )


def _before(history: History) -> Any:
    """The value an attribute had before this flush; `...` when it was not loaded."""
    if history.deleted:
        return history.deleted[0]
    if history.unchanged:
        return history.unchanged[0]
    return ...


def _follow(session: Session, item: ActionItem) -> None:
    """Brings the item's stretches in step with a flush that wrote its deadline or phase."""
    state = inspect(item)
    deadline_history, phase_history = state.attrs.deadline.history, state.attrs.phase.history
    if not (deadline_history.added or phase_history.added):
        return
    was_deadline, was_phase = _before(deadline_history), _before(phase_history)
    is_open = item.phase in OPEN_PHASES
    if was_deadline is not ... and was_phase is not ...:
        was_open = Phase(was_phase) in OPEN_PHASES
        if was_open == is_open and (not is_open or was_deadline == item.deadline):
            return  # e.g. planned -> implementing, or a closed item's deadline edited
    # From here on by the stored rows, not the diff: right even when the old values were unknown.
    connection = session.connection()  # Core on the flush's connection: no ORM state to flush
    current = (OpenSpan.action_item_id == item.id, OpenSpan.ended_at.is_(None))
    running = connection.execute(select(OpenSpan.deadline).where(*current)).scalar_one_or_none()
    when = item.updated_at
    if running is not None and (not is_open or running != item.deadline):
        end = item.completed_at if item.phase is Phase.done and item.completed_at else when
        connection.execute(update(OpenSpan).where(*current).values(ended_at=end))
        running = None
    if is_open and running is None:
        connection.execute(insert(OpenSpan).values(action_item_id=item.id, deadline=item.deadline, started_at=when))


def _first(item: ActionItem) -> dict[str, Any] | None:
    """The stretch an item starts with: open from its creation, or already over if it is done."""
    if item.phase in OPEN_PHASES:
        return {"action_item_id": item.id, "deadline": item.deadline, "started_at": item.created_at,
                "ended_at": None}
    if item.phase is Phase.done and item.completed_at is not None:
        return {"action_item_id": item.id, "deadline": item.deadline, "started_at": item.created_at,
                "ended_at": item.completed_at}
    return None  # created cancelled: never open


@event.listens_for(Session, "after_flush")
def _keep_spans(session: Session, _context: object) -> None:
    # Still the pre-flush view here: `new`, `dirty` and attribute histories say what was written.
    firsts = [row for obj in session.new if isinstance(obj, ActionItem) and (row := _first(obj))]
    if firsts:
        session.connection().execute(insert(OpenSpan), firsts)
    for obj in session.dirty:
        if isinstance(obj, ActionItem):
            _follow(session, obj)


def derived_from_items() -> Select[Any]:
    """(action_item_id, deadline, started_at, ended_at) for items as they stand, one stretch each:
    open since creation, done from creation to completion, cancelled never. What the migration
    that made this table wrote, and what an import without the table gets."""
    columns = (ActionItem.id, ActionItem.deadline, ActionItem.created_at)
    still_open = select(*columns, literal(None, UTCDateTime()).label("ended_at")).where(text(OPEN_PHASES_SQL))
    done = select(*columns, ActionItem.completed_at).where(text(DONE_PHASE_SQL), ActionItem.completed_at.is_not(None))
    return select(*still_open.union_all(done).subquery().c)
