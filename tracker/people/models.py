from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Enum, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base
from tracker.types import UTCDateTime, utcnow


class Role(StrEnum):
    admin = "admin"
    lead = "lead"
    owner = "owner"
    viewer = "viewer"


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-cased
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=16))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    slack_user_id: Mapped[str | None] = mapped_column(String(32))
    jira_account_id: Mapped[str | None] = mapped_column(String(128))
    github_login: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
    # One holder per vendor identity (sync maps an assignee to the first match); NULLs repeat.
    __table_args__ = tuple(
        Index(f"uq_people_{column}", column, unique=True,
              postgresql_where=text(f"{column} IS NOT NULL"), sqlite_where=text(f"{column} IS NOT NULL"))
        for column in ("slack_user_id", "jira_account_id", "github_login")
    )


class Team(Base):
    """An owning department (product, documentation, billing, ...)."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    department: Mapped[str] = mapped_column(String(60))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    slack_channel: Mapped[str | None] = mapped_column(String(80))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Where this team's action items become tickets (a moment of truth may override it).
    ticket_target_id: Mapped[int | None] = mapped_column(
        ForeignKey("ticket_targets.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
