"""Slowing down repeated failed API-token authentication, per client address.

The waiting rule is the browser sign-in's (tracker/auth/throttle.py): past `slow_after` failures
each further attempt must wait, doubling up to a minute, and at `lock_after` the address waits
`lock_for`. An attempt made too early is answered 429 with Retry-After and not counted.

A valid token is always let in, even from a throttled address: a token is 256 random bits, so
the limit is not about guessing odds but about cost and noise, and a colleague behind the same
office NAT must not be locked out by someone's broken script.

The counters live in this process, not in the database: counting in the database would make
every bad request a write, and on SQLite a flood of them would queue for the one write lock
ahead of honest writers (the very harm the limit is for). The price is that each API process
counts on its own and a restart forgets; both only loosen a limit that is about load.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from tracker.auth.throttle import Limits, wait_for
from tracker.types import utcnow

log = logging.getLogger(__name__)

LIMITS = Limits(slow_after=10, lock_after=50)
# Addresses remembered at most; the quietest are forgotten first, so a spray of addresses
# costs bounded memory.
MAX_ADDRESSES = 10_000


@dataclass
class _Counter:
    failures: int
    last_failed_at: datetime
    locked_until: datetime | None = None
    warned: bool = False


class TokenThrottle:
    def __init__(self, limits: Limits = LIMITS, clock: Callable[[], datetime] = utcnow) -> None:
        self.limits = limits
        self.clock = clock
        self._counters: OrderedDict[str, _Counter] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, address: str) -> timedelta:
        """How long this address must wait before its next failed attempt counts (zero: go ahead)."""
        with self._lock:
            counter = self._counters.get(address)
            return timedelta(0) if counter is None else wait_for(counter, self.limits, self.clock())

    def record_failure(self, address: str) -> None:
        now = self.clock()
        with self._lock:
            counter = self._counters.pop(address, None)
            if counter is None or now - counter.last_failed_at > self.limits.forget_after:
                counter = _Counter(failures=0, last_failed_at=now)  # a new burst
            counter.failures += 1
            counter.last_failed_at = now
            if counter.failures >= self.limits.lock_after:
                counter.locked_until = now + self.limits.lock_for
            self._counters[address] = counter  # most recent last
            while len(self._counters) > MAX_ADDRESSES:
                self._counters.popitem(last=False)
            warn = counter.failures >= self.limits.slow_after and not counter.warned
            counter.warned = counter.warned or warn
        if warn:
            log.warning("%d failed API-token attempts from %s; slowing that address down (429 with "
                        "Retry-After) until it has been quiet for %s", counter.failures, address,
                        self.limits.forget_after)


_create_lock = threading.Lock()


def throttle_of(state: object) -> TokenThrottle:
    """The app's throttle (one per app, made on first use)."""
    with _create_lock:
        throttle = getattr(state, "token_throttle", None)
        if throttle is None:
            throttle = TokenThrottle()
            setattr(state, "token_throttle", throttle)  # noqa: B010 - Starlette's State is dynamic
        assert isinstance(throttle, TokenThrottle)
        return throttle
