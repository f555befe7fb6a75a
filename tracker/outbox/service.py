"""Writing, claiming and settling outbox messages.

Claiming works the same on both databases: on PostgreSQL `FOR UPDATE SKIP LOCKED` lets any
number of workers claim side by side; SQLite has no row locks (SQLAlchemy leaves the clause
out) and is meant for a single worker. A claim is a lease: if the worker dies, the lease runs
out and another worker takes the message over, which is why every handler must be safe to run
twice (the ticket sync looks for its marker before creating again).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import Session, aliased

from tracker.outbox.models import OutboxMessage, OutboxState

MAX_BACKOFF_SECONDS = 600


def enqueue(
    session: Session,
    *,
    kind: str,
    payload: dict[str, Any],
    ordering_key: str | None = None,
    coalesce: bool = False,
    available_at: datetime | None = None,
    merge: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> OutboxMessage | None:
    """Add a message in the caller's transaction.

    With `coalesce`, nothing is added when an unclaimed pending message of the same kind and
    ordering key is already waiting: handlers read the current state when they run, so one
    message delivers any number of changes. With `merge` too, the waiting message's payload
    becomes `merge(its payload)`, for what the handler cannot read back from the current state
    (e.g. who caused the changes). The waiting row is locked first, so concurrent merges do not
    overwrite each other; a worker claiming it meanwhile (the lock waits for its claim) leaves
    it claimed, no longer waiting, and a new message is added instead.
    """
    if coalesce and ordering_key is not None:
        stmt = select(OutboxMessage).where(
            OutboxMessage.kind == kind,
            OutboxMessage.ordering_key == ordering_key,
            OutboxMessage.state == OutboxState.pending,
            OutboxMessage.lease_owner.is_(None),
        ).limit(1)
        if merge is None:
            if session.scalar(stmt.with_only_columns(OutboxMessage.id)) is not None:
                return None
        else:
            waiting = session.scalar(stmt.with_for_update(of=OutboxMessage))
            if waiting is not None:
                waiting.payload = merge(dict(waiting.payload))  # a new dict: JSON is not mutation-tracked
                session.flush()
                return None
    message = OutboxMessage(kind=kind, payload=payload, ordering_key=ordering_key)
    if available_at is not None:
        message.available_at = available_at
    session.add(message)
    session.flush()
    return message


def claim(
    session: Session, *, worker_id: str, now: datetime, limit: int, lease: timedelta,
    kinds: tuple[str, ...] | None = None,
) -> list[OutboxMessage]:
    """Lease up to `limit` due messages. Per ordering key only the oldest pending one is due."""
    earlier = aliased(OutboxMessage)
    waits_for_earlier = exists().where(
        earlier.ordering_key == OutboxMessage.ordering_key,
        earlier.state == OutboxState.pending,
        earlier.id < OutboxMessage.id,
    )
    stmt = (
        select(OutboxMessage)
        .where(
            OutboxMessage.state == OutboxState.pending,
            OutboxMessage.available_at <= now,
            or_(OutboxMessage.lease_expires_at.is_(None), OutboxMessage.lease_expires_at < now),
            or_(OutboxMessage.ordering_key.is_(None), ~waits_for_earlier),
        )
        .order_by(OutboxMessage.available_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=OutboxMessage)
    )
    if kinds:
        stmt = stmt.where(OutboxMessage.kind.in_(kinds))
    messages = list(session.scalars(stmt))
    for message in messages:
        message.lease_owner = worker_id
        message.lease_expires_at = now + lease
        message.attempts += 1
    session.flush()
    return messages


def renew(session: Session, *, worker_id: str, message_ids: list[int], now: datetime, lease: timedelta) -> int:
    """Extend our leases on messages still in hand; returns how many are still ours."""
    if not message_ids:
        return 0
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(message_ids), OutboxMessage.lease_owner == worker_id,
               OutboxMessage.state == OutboxState.pending)
        .values(lease_expires_at=now + lease)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def release_own(session: Session, *, worker_id: str) -> int:
    """At start: a worker's leases from before a restart belong to a dead process (worker ids
    are unique among live workers), so make those messages claimable now rather than when the
    leases run out. The interrupted attempt still counts: a message that kills its worker every
    time must reach max_attempts and be given up, not loop forever."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.lease_owner == worker_id, OutboxMessage.state == OutboxState.pending)
        .values(lease_owner=None, lease_expires_at=None)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def _still_ours(message_id: int, worker_id: str) -> Any:
    return and_(OutboxMessage.id == message_id, OutboxMessage.lease_owner == worker_id)


def complete(session: Session, *, message_id: int, worker_id: str, now: datetime) -> bool:
    """Mark done; False when our lease was taken over meanwhile (the other worker settles it)."""
    result = session.execute(
        update(OutboxMessage)
        .where(_still_ours(message_id, worker_id))
        .values(state=OutboxState.done, completed_at=now, lease_owner=None, lease_expires_at=None,
                last_error=None)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def backoff(attempts: int, retry_after: float | None, rng: random.Random | None = None, *,
            scale: float = 1.0) -> float:
    """Exponential backoff with jitter, never sooner than the vendor's Retry-After.

    `scale` shrinks (or stretches) only our own backoff (Settings.outbox_backoff_scale)."""
    jitter = (rng or random).uniform(0.5, 1.0)
    wait = min(2.0 ** attempts * scale, MAX_BACKOFF_SECONDS) * jitter
    return max(wait, retry_after or 0.0)


def retry_later(
    session: Session, *, message: OutboxMessage, worker_id: str, now: datetime, error: str,
    retry_after: float | None, max_attempts: int, backoff_scale: float = 1.0,
) -> bool:
    """Schedule another attempt; returns False (and marks the message dead) past max_attempts."""
    if message.attempts >= max_attempts:
        give_up(session, message_id=message.id, worker_id=worker_id, now=now,
                error=f"gave up after {message.attempts} attempts: {error}")
        return False
    delay = backoff(message.attempts, retry_after, scale=backoff_scale)
    session.execute(
        update(OutboxMessage)
        .where(_still_ours(message.id, worker_id))
        .values(available_at=now + timedelta(seconds=delay), lease_owner=None,
                lease_expires_at=None, last_error=error[:2000])
    )
    return True


def give_up(session: Session, *, message_id: int, worker_id: str, now: datetime, error: str) -> None:
    session.execute(
        update(OutboxMessage)
        .where(_still_ours(message_id, worker_id))
        .values(state=OutboxState.dead, completed_at=now, lease_owner=None, lease_expires_at=None,
                last_error=error[:2000])
    )
