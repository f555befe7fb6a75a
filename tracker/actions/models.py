from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, validates
from sqlalchemy.sql.expression import ColumnElement, literal_column

from tracker.db import Base
from tracker.types import UTCDateTime, utcnow


class Phase(StrEnum):
    planned = "planned"
    implementing = "implementing"
    training = "training"
    closing_loop = "closing_loop"
    done = "done"
    blocked = "blocked"
    cancelled = "cancelled"


CLOSED_PHASES = (Phase.done, Phase.cancelled)
OPEN_PHASES = tuple(p for p in Phase if p not in CLOSED_PHASES)


# The open phases as SQL, spelled exactly as the partial index's predicate so the planners can
# match a query to it (a bound-parameter IN list cannot be matched by a generic plan).
OPEN_PHASES_SQL = "phase IN ('planned', 'implementing', 'training', 'closing_loop', 'blocked')"
DONE_PHASE_SQL = "phase = 'done'"  # likewise, for the partial index of done items


class Priority(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    urgent = "urgent"


class ActionItem(Base):
    """One change with one owner and a deadline, followed from plan to closed loop."""

    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    moment_id: Mapped[int | None] = mapped_column(
        ForeignKey("moments_of_truth.id", ondelete="SET NULL"), index=True
    )
    investigation_id: Mapped[int | None] = mapped_column(
        ForeignKey("investigations.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="RESTRICT"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    deadline: Mapped[date] = mapped_column(Date)
    priority: Mapped[Priority] = mapped_column(Enum(Priority, native_enum=False, length=16))
    phase: Mapped[Phase] = mapped_column(Enum(Phase, native_enum=False, length=16))
    # Where a blocked item goes back to when it is unblocked.
    phase_before_block: Mapped[Phase | None] = mapped_column(Enum(Phase, native_enum=False, length=16))
    blocked_reason: Mapped[str | None] = mapped_column(Text)
    work_plan: Mapped[str | None] = mapped_column(Text)
    work_plan_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    training_waived_reason: Mapped[str | None] = mapped_column(Text)
    checklist_waived_reason: Mapped[str | None] = mapped_column(Text)
    # What support staff send affected customers once the fix shipped, with placeholders
    # (tracker/closed_loop/messages.py); None means the default text. Leads write it.
    customer_message_template: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # "My items in this phase, by deadline" and "the team's items": the hot list queries.
        Index("ix_action_items_owner_phase_deadline", "owner_id", "phase", "deadline", "id"),
        Index("ix_action_items_team_phase_deadline", "team_id", "phase", "deadline", "id"),
        Index("ix_action_items_phase_deadline", "phase", "deadline", "id"),
        Index("ix_action_items_deadline", "deadline", "id"),
        # The overdue list walks open items by deadline. Without the predicate it would first
        # step over every closed item with a past deadline, and those pile up as the programme
        # ages.
        Index("ix_action_items_open_deadline", "deadline", "id",
              postgresql_where=text(OPEN_PHASES_SQL), sqlite_where=text(OPEN_PHASES_SQL)),
        # Items done in a period (the programme's weekly figures): reads that period's done items
        # only, where (phase, deadline) walks every item ever done. Partial, so it never competes
        # with the (.., phase, deadline, id) indexes for the lists of open items.
        Index("ix_action_items_done_completed", "completed_at",
              postgresql_where=text(DONE_PHASE_SQL), sqlite_where=text(DONE_PHASE_SQL)),
    )


class ProgressUpdate(Base):
    __tablename__ = "progress_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_item_id: Mapped[int] = mapped_column(
        ForeignKey("action_items.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TrainingRecord(Base):
    """Whether employees must be trained to deliver the change, and how far that has got."""

    __tablename__ = "training_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_item_id: Mapped[int] = mapped_column(
        ForeignKey("action_items.id", ondelete="CASCADE"), unique=True
    )
    needed: Mapped[bool] = mapped_column(Boolean, default=False)
    audience: Mapped[str] = mapped_column(String(300), default="")
    sessions_held: Mapped[int] = mapped_column(Integer, default=0)
    people_trained: Mapped[int] = mapped_column(Integer, default=0)
    target_count: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class ContactChannel(StrEnum):
    email = "email"
    phone = "phone"
    chat = "chat"
    in_person = "in_person"
    social = "social"
    letter = "letter"
    other = "other"


class NotificationStatus(StrEnum):
    pending = "pending"
    notified = "notified"
    acknowledged = "acknowledged"
    unreachable = "unreachable"


def contact_key(contact: str) -> str:
    """The form contacts are compared in: "Dana@X.example " and "dana@x.example" are one person."""
    return "".join(contact.split()).lower()


def _contact_key_default(context: Any) -> str:
    # Rows inserted without the ORM (bulk inserts, the JSON import of an older export) get
    # their key from the contact in the same row.
    return contact_key(context.get_current_parameters().get("contact") or "")


# Pending entries, spelled as the partial index's predicate so both planners can match a query
# to it (a bound parameter cannot be matched by a generic plan).
PENDING_SQL = "status = 'pending'"


def pending_entry() -> ColumnElement[bool]:
    return ChecklistEntry.status == literal_column("'pending'")


class ChecklistEntry(Base):
    """One affected customer to tell about the fix (closing the loop)."""

    __tablename__ = "checklist_entries"
    __table_args__ = (
        UniqueConstraint("action_item_id", "affected_customer_id"),
        # The closed-loop queue: pending customers across items, one group per person, in
        # contact order (tracker/closed_loop/queue.py).
        Index("ix_checklist_entries_pending_contact", "contact_key", "action_item_id",
              postgresql_where=text(PENDING_SQL), sqlite_where=text(PENDING_SQL)),
        # Its totals (and a fix's customers) start from the items and need each one's pending
        # people: covered here, without reading the rows of everyone already told.
        Index("ix_checklist_entries_pending_item", "action_item_id", "contact_key",
              postgresql_where=text(PENDING_SQL), sqlite_where=text(PENDING_SQL)),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_item_id: Mapped[int] = mapped_column(
        ForeignKey("action_items.id", ondelete="CASCADE"), index=True
    )
    # Seeded entries keep their source customer; hand-added ones have none.
    affected_customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("affected_customers.id", ondelete="SET NULL")
    )
    customer_name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(320))
    # contact_key(contact), kept with the row so the queue groups one person's entries across
    # items with an index instead of normalising every contact on every read.
    contact_key: Mapped[str] = mapped_column(String(320), default=_contact_key_default)
    channel: Mapped[ContactChannel] = mapped_column(Enum(ContactChannel, native_enum=False, length=16))
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[NotificationStatus] = mapped_column(
        Enum(NotificationStatus, native_enum=False, length=16), default=NotificationStatus.pending
    )
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notified_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    @validates("contact")
    def _keep_contact_key(self, _: str, value: str) -> str:
        self.contact_key = contact_key(value)
        return value
