from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base
from tracker.types import UTCDateTime, utcnow


class NudgePolicy(Base):
    """A team's nudge rules; teams without a row use the defaults (tracker/nudges/policy.py)."""

    __tablename__ = "nudge_policies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), unique=True)
    days_before_due: Mapped[int] = mapped_column(Integer, default=2)
    remind_on_due_day: Mapped[bool] = mapped_column(Boolean, default=True)
    overdue_every_days: Mapped[int] = mapped_column(Integer, default=2)
    escalate_after_overdue_days: Mapped[int] = mapped_column(Integer, default=5)
    work_plan_after_days: Mapped[int] = mapped_column(Integer, default=3)
    max_snoozes: Mapped[int] = mapped_column(Integer, default=2)
    snooze_days: Mapped[int] = mapped_column(Integer, default=1)
    workday_start_hour: Mapped[int] = mapped_column(Integer, default=9)
    workday_end_hour: Mapped[int] = mapped_column(Integer, default=17)
    skip_weekends: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class NudgeKind(StrEnum):
    work_plan = "work_plan"  # assigned some days ago, no work plan yet
    before_due = "before_due"
    due_today = "due_today"
    overdue = "overdue"
    escalation = "escalation"  # to the team's lead and channel


class NudgeState(StrEnum):
    pending = "pending"  # recorded; its outbox message will send it
    sent = "sent"
    failed = "failed"  # could not be delivered; `error` says why, the lead was told
    skipped = "skipped"  # no longer relevant when its turn came (item done, reassigned, ...)


class Nudge(Base):
    """One reminder, recorded (and made unique by its slot) before it is sent."""

    __tablename__ = "nudges"
    __table_args__ = (
        # The same reminder can never be recorded twice: not by a restart, not by two workers.
        UniqueConstraint("action_item_id", "kind", "slot"),
        Index("ix_nudges_item", "action_item_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_item_id: Mapped[int] = mapped_column(ForeignKey("action_items.id", ondelete="CASCADE"))
    kind: Mapped[NudgeKind] = mapped_column(Enum(NudgeKind, native_enum=False, length=16))
    slot: Mapped[str] = mapped_column(String(40))  # e.g. the local date it is for
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    state: Mapped[NudgeState] = mapped_column(Enum(NudgeState, native_enum=False, length=16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The first message it was posted as. Kept for good: an escalation whose channel post went
    # out must not post there again when its retry DMs the lead. Every message to keep up to
    # date with the item (an escalation can be two) is a NudgePost.
    slack_channel: Mapped[str | None] = mapped_column(String(40))
    slack_ts: Mapped[str | None] = mapped_column(String(40))
    error: Mapped[str | None] = mapped_column(Text)


class PostRole(StrEnum):
    nudge = "nudge"  # the nudge itself: a DM to its recipient, an escalation's channel post
    notice = "notice"  # the lead's "couldn't reach <owner> on Slack" card about a failed nudge


class NudgePost(Base):
    """One Slack message a nudge was posted as, followed by its item (tracker/slack/refresh.py)
    until Slack says it is gone. The lead's notice that a nudge could not be delivered is one
    too (role `notice`): it follows the item the same way and says when the owner was reached."""

    __tablename__ = "nudge_posts"
    __table_args__ = (
        UniqueConstraint("channel", "ts"),  # a Slack message is identified by both
        Index("ix_nudge_posts_item", "action_item_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nudge_id: Mapped[int] = mapped_column(ForeignKey("nudges.id", ondelete="CASCADE"), index=True)
    # The nudge's item, here too: the refresh listener finds an item's messages by one index.
    action_item_id: Mapped[int] = mapped_column(ForeignKey("action_items.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(40))
    ts: Mapped[str] = mapped_column(String(40))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    role: Mapped[str] = mapped_column(String(16), default=PostRole.nudge.value, server_default=PostRole.nudge.value)


class NudgeSchedule(Base):
    """When an open action item next needs looking at; the sweep reads only rows that are due."""

    __tablename__ = "nudge_schedule"

    action_item_id: Mapped[int] = mapped_column(
        ForeignKey("action_items.id", ondelete="CASCADE"), primary_key=True
    )
    next_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    snoozes: Mapped[int] = mapped_column(Integer, default=0)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
