from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base
from tracker.types import UTCDateTime


class ConnectionActivity(Base):
    """When the worker last delivered a message through a connection (one row per connection).

    Written by the worker in the transaction that marks a message done, at most every few
    seconds per connection (tracker/health/recorder.py), so a busy worker does not turn one hot
    row into a queue."""

    __tablename__ = "connection_activity"

    connection: Mapped[str] = mapped_column(String(60), primary_key=True)  # a connection's name, or "slack"
    last_success_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_success_kind: Mapped[str] = mapped_column(String(40))  # the outbox kind delivered then


class InboundRejection(Base):
    """How many signed requests (webhooks, Slack) one source refused in one hour (bad signature).

    A row per source and hour, and sources are only the configured connections (an unknown one
    is a 404 before any signature is checked), so a flood of forged requests cannot add rows:
    it only raises a count. Rows older than a week are deleted as new hours begin."""

    __tablename__ = "inbound_rejections"
    __table_args__ = (
        UniqueConstraint("source", "hour"),
        Index("ix_inbound_rejections_hour", "hour"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(80))  # "jira:<connection>", "github:<connection>", "slack"
    hour: Mapped[datetime] = mapped_column(UTCDateTime)  # the start of the hour, UTC
    count: Mapped[int] = mapped_column(Integer)
