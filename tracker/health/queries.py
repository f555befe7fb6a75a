"""The counts behind the health summary, each one grouped query (no per-connection loops over
the outbox). Pending and dead messages are found through the outbox's (state, available_at)
index; webhook counts through (source, received_at); both stay cheap as history grows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from tracker.health.connections import message_connections
from tracker.health.models import ConnectionActivity, InboundRejection
from tracker.health.rejections import hour_of
from tracker.outbox.models import OutboxMessage, OutboxState
from tracker.sync.models import InboundDelivery, LinkState, TicketLink, TicketTarget

M = OutboxMessage


@dataclass(frozen=True)
class Backlog:
    pending: int = 0
    oldest_created_at: datetime | None = None
    waiting: int = 0  # failed at least once, next attempt not yet due (backoff, Retry-After)
    in_hand: int = 0  # claimed by a worker right now


def backlog_by_connection(session: Session, now: datetime) -> dict[str | None, Backlog]:
    ids = message_connections(M.state == OutboxState.pending).subquery()
    waiting = case((and_(M.available_at > now, M.last_error.is_not(None)), 1))
    in_hand = case((M.lease_expires_at > now, 1))
    rows = session.execute(
        select(ids.c.connection, func.count(), func.min(M.created_at), func.count(waiting), func.count(in_hand))
        .select_from(ids).join(M, M.id == ids.c.id).group_by(ids.c.connection))
    return {conn: Backlog(n, oldest, wait, hand) for conn, n, oldest, wait, hand in rows}


def dead_by_connection(session: Session) -> dict[str | None, int]:
    ids = message_connections(M.state == OutboxState.dead).subquery()
    rows = session.execute(select(ids.c.connection, func.count()).group_by(ids.c.connection))
    return {conn: n for conn, n in rows}


def dead_messages(session: Session, limit: int) -> list[tuple[OutboxMessage, str | None]]:
    """The most recently given-up messages first, with their connection."""
    ids = message_connections(M.state == OutboxState.dead).subquery()
    rows = session.execute(select(M, ids.c.connection).join(ids, ids.c.id == M.id)
                           .order_by(M.completed_at.desc(), M.id.desc()).limit(limit))
    return [(m, conn) for m, conn in rows]


def waiting_messages(session: Session, now: datetime, limit: int) -> list[tuple[OutboxMessage, str | None]]:
    """Messages that failed and wait for their next attempt, the soonest first."""
    where = and_(M.state == OutboxState.pending, M.available_at > now, M.last_error.is_not(None))
    ids = message_connections(where).subquery()
    rows = session.execute(select(M, ids.c.connection).join(ids, ids.c.id == M.id)
                           .order_by(M.available_at, M.id).limit(limit))
    return [(m, conn) for m, conn in rows]


def broken_by_connection(session: Session) -> dict[str, int]:
    rows = session.execute(select(TicketTarget.connection, func.count())
                           .join(TicketLink, TicketLink.target_id == TicketTarget.id)
                           .where(TicketLink.state == LinkState.broken).group_by(TicketTarget.connection))
    return {conn: n for conn, n in rows}


def broken_links(session: Session, limit: int) -> list[tuple[TicketLink, TicketTarget]]:
    rows = session.execute(select(TicketLink, TicketTarget).join(TicketTarget, TicketTarget.id == TicketLink.target_id)
                           .where(TicketLink.state == LinkState.broken)
                           .order_by(TicketLink.broken_at.desc(), TicketLink.id.desc()).limit(limit))
    return [(link, target) for link, target in rows]


def last_successes(session: Session) -> dict[str, ConnectionActivity]:
    return {row.connection: row for row in session.scalars(select(ConnectionActivity))}


def targets(session: Session) -> list[TicketTarget]:
    return list(session.scalars(select(TicketTarget).order_by(TicketTarget.name)))


@dataclass(frozen=True)
class Deliveries:
    received: int
    by_outcome: dict[str, int]
    last_received_at: datetime | None


def deliveries(session: Session, sources: Iterable[str], since: datetime) -> dict[str, Deliveries]:
    """Webhooks taken in since `since`, per source: one range read of the index each."""
    found: dict[str, Deliveries] = {}
    for source in sources:
        outcomes = {outcome: n for outcome, n in session.execute(
            select(InboundDelivery.outcome, func.count())
            .where(InboundDelivery.source == source, InboundDelivery.received_at >= since)
            .group_by(InboundDelivery.outcome))}
        last = session.scalar(select(func.max(InboundDelivery.received_at)).where(InboundDelivery.source == source))
        found[source] = Deliveries(sum(outcomes.values()), outcomes, last)
    return found


def rejections(session: Session, since: datetime) -> dict[str, int]:
    """Refused requests per source in the hours from `since`'s hour on (so up to 25 hours)."""
    rows = session.execute(select(InboundRejection.source, func.sum(InboundRejection.count))
                           .where(InboundRejection.hour >= hour_of(since)).group_by(InboundRejection.source))
    return {source: int(n or 0) for source, n in rows}


def item_ids_of(session: Session, messages: Iterable[OutboxMessage]) -> dict[int, int]:
    """The action item each listed message is about, where it names one (directly or through
    its link or nudge): two small look-ups for the whole list."""
    from tracker.nudges.models import Nudge
    from tracker.slack.outbound import NUDGE_KIND
    from tracker.sync.service import PULL_KIND

    found: dict[int, int] = {}
    by_link: dict[int, list[int]] = {}
    by_nudge: dict[int, list[int]] = {}
    for m in messages:
        payload: dict[str, Any] = dict(m.payload or {})
        direct = payload.get("action_item_id", payload.get("item_id"))
        if isinstance(direct, int):
            found[m.id] = direct
        elif m.kind == PULL_KIND and isinstance(payload.get("link_id"), int):
            by_link.setdefault(payload["link_id"], []).append(m.id)
        elif m.kind == NUDGE_KIND and isinstance(payload.get("nudge_id"), int):
            by_nudge.setdefault(payload["nudge_id"], []).append(m.id)
    if by_link:
        for link_id, item_id in session.execute(select(TicketLink.id, TicketLink.action_item_id)
                                                .where(TicketLink.id.in_(list(by_link)))):
            found.update(dict.fromkeys(by_link[link_id], item_id))
    if by_nudge:
        for nudge_id, item_id in session.execute(select(Nudge.id, Nudge.action_item_id)
                                                 .where(Nudge.id.in_(list(by_nudge)))):
            found.update(dict.fromkeys(by_nudge[nudge_id], item_id))
    return found
