"""The Slack messages nudges were posted as: recorded when posted, found again by item or by
(channel, ts), forgotten when Slack says they are gone."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tracker.nudges.models import Nudge, NudgePost, PostRole


def record_post(session: Session, nudge: Nudge, *, channel: str, ts: str,
                role: PostRole = PostRole.nudge) -> bool:
    """Keep one more message of `nudge`; False when it is already recorded."""
    if nudge.slack_ts is None and role is PostRole.nudge:
        # Only the nudge's own first message: a lead's notice must not make a failed nudge look
        # posted (a retry of it from the health page would then skip its recipient).
        nudge.slack_channel, nudge.slack_ts = channel, ts
    known = session.scalar(select(NudgePost.id).where(NudgePost.channel == channel, NudgePost.ts == ts))
    if known is not None:
        return False
    session.add(NudgePost(nudge_id=nudge.id, action_item_id=nudge.action_item_id, channel=channel, ts=ts,
                          role=role.value))
    session.flush()
    return True


def posts_of(session: Session, nudge_id: int) -> list[tuple[str, str]]:
    """(channel, ts) of each message of a nudge, first posted first."""
    rows = session.execute(select(NudgePost.channel, NudgePost.ts).where(NudgePost.nudge_id == nudge_id)
                           .order_by(NudgePost.id))
    return [(channel, ts) for channel, ts in rows]


def item_posts(session: Session, item_id: int, limit: int) -> list[tuple[NudgePost, Nudge]]:
    """The item's messages with their nudges, newest first (one indexed query)."""
    rows = session.execute(
        select(NudgePost, Nudge).join(Nudge, Nudge.id == NudgePost.nudge_id)
        .where(NudgePost.action_item_id == item_id).order_by(NudgePost.id.desc()).limit(limit)
    )
    return [(post, nudge) for post, nudge in rows]


def nudge_of_message(session: Session, *, channel: str, ts: str) -> Nudge | None:
    found = post_of_message(session, channel=channel, ts=ts)
    return found[1] if found is not None else None


def post_of_message(session: Session, *, channel: str, ts: str) -> tuple[NudgePost, Nudge] | None:
    row = session.execute(select(NudgePost, Nudge).join(Nudge, Nudge.id == NudgePost.nudge_id)
                          .where(NudgePost.channel == channel, NudgePost.ts == ts)).first()
    return (row[0], row[1]) if row is not None else None


def notice_posts(session: Session, item_id: int) -> list[tuple[NudgePost, Nudge]]:
    """The leads' notices about the item's failed nudges, with those nudges (one indexed query)."""
    rows = session.execute(
        select(NudgePost, Nudge).join(Nudge, Nudge.id == NudgePost.nudge_id)
        .where(NudgePost.action_item_id == item_id, NudgePost.role == PostRole.notice.value)
        .order_by(NudgePost.id)
    )
    return [(post, nudge) for post, nudge in rows]


def forget_post(session: Session, *, channel: str, ts: str) -> None:
    """The message is gone from Slack: nothing left there to keep up to date."""
    session.execute(delete(NudgePost).where(NudgePost.channel == channel, NudgePost.ts == ts))
