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


POSTS_WIDTH = 40  # nudges.slack_channel and nudges.slack_ts


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
    # Where it was posted, kept so the message can follow its item (tracker/slack/refresh.py).
    # An escalation can be two messages, the team channel's and then the lead's DM: both are
    # kept, space-separated in posting order ("C1 D2", "ts1 ts2"); read them with `posts()`.
    slack_channel: Mapped[str | None] = mapped_column(String(40))
    slack_ts: Mapped[str | None] = mapped_column(String(40))
    error: Mapped[str | None] = mapped_column(Text)

    def posts(self) -> list[tuple[str, str]]:
        """(channel, ts) of each message this nudge was posted as, first posted first."""
        return list(zip((self.slack_channel or "").split(), (self.slack_ts or "").split(), strict=False))

    def add_post(self, channel: str, ts: str) -> bool:
        """Record one more message; False if it does not fit (ids are ~11 characters, ts 17,
        so two always fit; a third never happens) or is already recorded."""
        posts = self.posts()
        if (channel, ts) in posts:
            return False
        return self._keep([*posts, (channel, ts)])

    def forget_post(self, channel: str, ts: str) -> None:
        """The message is gone from Slack: nothing left there to keep up to date."""
        self._keep([p for p in self.posts() if p != (channel, ts)])

    def _keep(self, posts: list[tuple[str, str]]) -> bool:
        channels, stamps = " ".join(c for c, _ in posts), " ".join(t for _, t in posts)
        if max(len(channels), len(stamps)) > POSTS_WIDTH:
            return False
        self.slack_channel, self.slack_ts = channels or None, stamps or None
        return True


class NudgeSchedule(Base):
    """When an open action item next needs looking at; the sweep reads only rows that are due."""

    __tablename__ = "nudge_schedule"

    action_item_id: Mapped[int] = mapped_column(
        ForeignKey("action_items.id", ondelete="CASCADE"), primary_key=True
    )
    next_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    snoozes: Mapped[int] = mapped_column(Integer, default=0)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
