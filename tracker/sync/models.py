from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base
from tracker.types import JSONType, UTCDateTime, utcnow


class TargetKind(StrEnum):
    jira = "jira"
    github = "github"


class TicketTarget(Base):
    """A Jira project or GitHub repository that a team's action items go to.

    Credentials are NOT here: `connection` names a connection configured in the environment
    (TRACKER_CONNECTIONS__<NAME>__TOKEN, ...), so the database never holds a secret.
    """

    __tablename__ = "ticket_targets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[TargetKind] = mapped_column(Enum(TargetKind, native_enum=False, length=16))
    connection: Mapped[str] = mapped_column(String(60))
    project: Mapped[str] = mapped_column(String(200))  # Jira project key or GitHub "owner/name"
    issue_type: Mapped[str] = mapped_column(String(60), default="Task")
    mapping: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # Reconciliation: how far we have read the target's changes (adapter-defined watermark).
    watermark: Mapped[str | None] = mapped_column(Text)
    reconciled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class LinkState(StrEnum):
    pending = "pending"  # queued; no ticket yet
    linked = "linked"
    broken = "broken"  # stopped syncing; broken_reason says why and what to do


class TicketLink(Base):
    """The one ticket an action item is synced to."""

    __tablename__ = "ticket_links"
    __table_args__ = (
        UniqueConstraint("action_item_id"),
        Index("ix_ticket_links_target_key", "target_id", "remote_key"),
        Index("ix_ticket_links_state", "state", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_item_id: Mapped[int] = mapped_column(ForeignKey("action_items.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("ticket_targets.id", ondelete="RESTRICT"))
    state: Mapped[LinkState] = mapped_column(Enum(LinkState, native_enum=False, length=16))
    # Our mark on the remote ticket (Jira label / hidden line in a GitHub body): lets a retry
    # find a ticket an earlier attempt created before it records that attempt's outcome.
    marker: Mapped[str] = mapped_column(String(80), unique=True)
    create_attempted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    remote_key: Mapped[str | None] = mapped_column(String(120))
    remote_url: Mapped[str | None] = mapped_column(String(1000))
    remote_status: Mapped[str | None] = mapped_column(String(120))
    remote_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What we believe the ticket holds now, in the tracker's terms (RemoteTicket.synced()).
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # Fields changed in the tracker that still have to reach the ticket.
    dirty_fields: Mapped[list[str]] = mapped_column(JSONType, default=list)
    broken_reason: Mapped[str | None] = mapped_column(Text)
    broken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InboundDelivery(Base):
    """A verified webhook delivery, kept so a redelivery (same id) is recognised and ignored."""

    __tablename__ = "inbound_deliveries"
    __table_args__ = (
        UniqueConstraint("source", "delivery_id"),
        # Integration health counts each source's deliveries of the last 24 hours.
        Index("ix_inbound_deliveries_source_received", "source", "received_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(40))  # "jira:<connection>", "github:<connection>"
    delivery_id: Mapped[str] = mapped_column(String(200))
    event: Mapped[str] = mapped_column(String(80))
    project: Mapped[str | None] = mapped_column(String(200))
    ticket_key: Mapped[str | None] = mapped_column(String(120))
    actor: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(40))  # queued, echo, unlinked, ignored
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
