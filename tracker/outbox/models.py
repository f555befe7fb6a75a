from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Enum, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base
from tracker.types import JSONType, UTCDateTime, utcnow


class OutboxState(StrEnum):
    pending = "pending"
    done = "done"
    dead = "dead"  # gave up: the reason is in last_error and on the affected record


class OutboxMessage(Base):
    """Work that must reach a vendor (Jira, GitHub, Slack), written in the same transaction as
    the change that caused it, and delivered by a worker.

    A claimed message carries a lease; a worker that dies lets the lease run out and another
    worker takes the message over. Messages with the same `ordering_key` (e.g. one action item)
    are delivered one at a time, oldest first.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    ordering_key: Mapped[str | None] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    state: Mapped[OutboxState] = mapped_column(
        Enum(OutboxState, native_enum=False, length=16), default=OutboxState.pending
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(80))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_outbox_state_available", "state", "available_at", "id"),
        Index("ix_outbox_ordering", "ordering_key", "state", "id"),
    )
