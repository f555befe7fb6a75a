from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base
from tracker.types import UTCDateTime, utcnow


class DigestState(StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"


class DigestDelivery(Base):
    """One weekly digest for one team (or the whole programme: team_id NULL, scope 'programme').

    The unique (scope, week) row is claimed before anything is sent: a digest cannot go out twice.
    """

    __tablename__ = "digest_deliveries"
    __table_args__ = (UniqueConstraint("scope", "week"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(40))  # "team:<id>" or "programme"
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    week: Mapped[str] = mapped_column(String(10))  # ISO week, e.g. "2026-W47"
    state: Mapped[DigestState] = mapped_column(Enum(DigestState, native_enum=False, length=16))
    channel: Mapped[str | None] = mapped_column(String(80))
    slack_ts: Mapped[str | None] = mapped_column(String(40))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
