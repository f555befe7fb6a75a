from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base
from tracker.types import JSONType, UTCDateTime, utcnow


class ActivityEntry(Base):
    """Who changed what, when, from what to what. Append-only."""

    __tablename__ = "activity_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # None means the system itself (a sweep, a sync from Jira/GitHub).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(200))  # kept even if the person is deleted
    # The door the change came in by (tracker/activity/source.py): api, web, slack, jira, github
    # or system.
    source: Mapped[str] = mapped_column(String(10), default="system", server_default="system")
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(40))
    changes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # Lets one query show the whole history of an action item or a moment of truth.
    action_item_id: Mapped[int | None] = mapped_column(Integer)
    moment_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_activity_log_entity", "entity_type", "entity_id", "id"),
        Index("ix_activity_log_action_item", "action_item_id", "id"),
        Index("ix_activity_log_moment", "moment_id", "id"),
        Index("ix_activity_log_actor", "actor_id", "id"),
        Index("ix_activity_log_source", "source", "id"),
    )
