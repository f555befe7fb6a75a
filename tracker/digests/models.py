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


class DigestShareLink(Base):
    """A read-only link to one scope's digest for people without an account (stakeholders).

    Only the SHA-256 of its secret is stored: the link is shown once, to the lead who made it.
    `week` NULL means "the current week, whenever it is opened". A link ends at `expires_at`
    or when a lead revokes it; the row stays, so leads can see what was shared and until when.
    Deleting the team deletes its links (the scope would name nothing).
    """

    __tablename__ = "digest_share_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(40))  # "team:<id>" or "programme"
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    week: Mapped[str | None] = mapped_column(String(10))  # ISO week, or NULL: the current one
    note: Mapped[str] = mapped_column(String(200), default="")  # who it is for, for the leads' list
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
