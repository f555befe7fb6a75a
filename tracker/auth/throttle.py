"""Slowing down and locking out password guessing, per account and per client address.

Counts failures per key. Past `slow_after` failures each attempt must wait (doubling, up to a
minute) after the previous failure; at `lock_after` the key is locked for `lock_for`. Quiet
for `forget_after` and the count starts again. Keys for unknown e-mails are counted exactly
like real ones, so the refusal never tells whether an account exists. The client address gets
higher limits: many honest people can share one (an office NAT).

Waiting is enforced by refusing early attempts, not by sleeping: a sleeping request would tie
up a server thread, which is the attacker's win.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracker.auth.models import SignInThrottle
from tracker.types import utcnow


@dataclass(frozen=True)
class Limits:
    slow_after: int
    lock_after: int
    lock_for: timedelta = timedelta(minutes=15)
    forget_after: timedelta = timedelta(hours=1)
    max_wait: timedelta = timedelta(minutes=1)


ACCOUNT = Limits(slow_after=3, lock_after=10)
ADDRESS = Limits(slow_after=10, lock_after=50)


def keys_for(email: str, ip: str) -> dict[str, Limits]:
    return {f"email:{email.strip().lower()[:320]}": ACCOUNT, f"ip:{ip[:64]}": ADDRESS}


class Counter(Protocol):
    """What the waiting rule reads: a SignInThrottle row, or an in-memory counter (API tokens)."""

    failures: int
    last_failed_at: datetime
    locked_until: datetime | None


def wait_for(row: Counter, limits: Limits, now: datetime) -> timedelta:
    if now - row.last_failed_at > limits.forget_after:
        return timedelta(0)
    if row.locked_until is not None and row.locked_until > now:
        return row.locked_until - now
    if row.failures < limits.slow_after:
        return timedelta(0)
    step = timedelta(seconds=2 ** (row.failures - limits.slow_after))
    return max(timedelta(0), row.last_failed_at + min(step, limits.max_wait) - now)


def retry_after(session: Session, keys: dict[str, Limits], *, now: datetime | None = None) -> timedelta:
    """How long the caller must wait before the next attempt (zero: go ahead)."""
    now = now or utcnow()
    rows = session.scalars(select(SignInThrottle).where(SignInThrottle.key.in_(keys))).all()
    return max((wait_for(row, keys[row.key], now) for row in rows), default=timedelta(0))


def record_failure(session: Session, keys: dict[str, Limits], *, now: datetime | None = None) -> None:
    now = now or utcnow()
    # Old counters are garbage: prune them here so the table stays small without a sweep.
    session.execute(delete(SignInThrottle).where(SignInThrottle.last_failed_at < now - timedelta(days=1)))
    for key, limits in keys.items():
        row = session.get(SignInThrottle, key, with_for_update=True)
        if row is None:
            try:
                with session.begin_nested():  # two concurrent first failures: one insert wins
                    session.add(SignInThrottle(key=key, failures=1, first_failed_at=now, last_failed_at=now))
                continue
            except IntegrityError:
                row = session.get(SignInThrottle, key, with_for_update=True, populate_existing=True)
                assert row is not None
        if now - row.last_failed_at > limits.forget_after:
            row.failures, row.first_failed_at, row.locked_until = 0, now, None
        row.failures += 1
        row.last_failed_at = now
        if row.failures >= limits.lock_after:
            row.locked_until = now + limits.lock_for
    session.flush()


def record_success(session: Session, keys: dict[str, Limits]) -> None:
    """A right password clears the account's counter (not the address's: one known password
    must not buy more guesses at other accounts)."""
    session.execute(delete(SignInThrottle).where(
        SignInThrottle.key.in_([k for k, lim in keys.items() if lim is ACCOUNT])))
