"""Slack's rate limits: per-channel pacing for chat.postMessage and per-method tiers.

Slack documents chat.postMessage as "1 message per second per channel, short bursts allowed"
and the other Web API methods in tiers (per-minute budgets per app and workspace). Over a limit
Slack answers HTTP 429 with `Retry-After` (whole seconds) and `{"ok": false, "error":
"ratelimited"}`. `time_scale` shrinks every window so tests exercise the limits in milliseconds.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass

# Requests per minute by tier (Slack's published floors: Tier 1 1+, 2 20+, 3 50+, 4 100+).
TIER_PER_MINUTE = {1: 1, 2: 20, 3: 50, 4: 100}
METHOD_TIERS = {
    "auth.test": 4,
    "chat.update": 3,
    "chat.postEphemeral": 4,
    "conversations.open": 3,
    "conversations.info": 3,
    "users.info": 4,
    "users.lookupByEmail": 3,
    "views.open": 4,
}


@dataclass
class Violation:
    method: str
    channel: str | None  # set for the per-channel chat.postMessage limit
    at: float
    retry_after: int


class RateLimiter:
    def __init__(
        self,
        time_scale: float = 1.0,
        channel_burst: int = 4,
        enabled: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.time_scale = time_scale
        self.channel_burst = channel_burst
        self.enabled = enabled
        self.clock = clock
        self.violations: list[Violation] = []
        self.counts: Counter[str] = Counter()  # "chat.postMessage" and "chat.postMessage:C123"
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # channel -> (tokens, last refill)
        self._windows: dict[str, deque[float]] = {}  # "token|method" -> recent request times

    def check_channel(self, channel: str) -> int | None:
        """Token bucket: `channel_burst` at once, then one a (scaled) second. -> Retry-After."""
        if not self.enabled:
            return None
        interval = 1.0 * self.time_scale
        with self._lock:
            now = self.clock()
            tokens, last = self._buckets.get(channel, (float(self.channel_burst), now))
            tokens = min(float(self.channel_burst), tokens + (now - last) / interval)
            if tokens >= 1.0 - 1e-6:  # float slack: a wait of exactly one interval must pass
                self._buckets[channel] = (max(0.0, tokens - 1.0), now)
                return None
            self._buckets[channel] = (tokens, now)
            wait = (1.0 - tokens) * interval
            return self._record("chat.postMessage", channel, wait)

    def check_method(self, token: str, method: str) -> int | None:
        """Sliding one-minute (scaled) window per token and method tier. Returns Retry-After."""
        tier = METHOD_TIERS.get(method)
        if not self.enabled or tier is None:
            return None
        window = 60.0 * self.time_scale
        budget = TIER_PER_MINUTE[tier]
        with self._lock:
            now = self.clock()
            recent = self._windows.setdefault(f"{token}|{method}", deque())
            while recent and recent[0] <= now - window:
                recent.popleft()
            if len(recent) < budget:
                recent.append(now)
                return None
            return self._record(method, None, recent[0] + window - now)

    def _record(self, method: str, channel: str | None, wait: float) -> int:
        retry_after = self.retry_after(wait)
        self.violations.append(Violation(method, channel, self.clock(), retry_after))
        self.counts[method] += 1
        if channel:
            self.counts[f"{method}:{channel}"] += 1
        return retry_after

    def retry_after(self, wait: float) -> int:
        # Slack sends whole seconds. At real speed round up (never tell a client "0" too early);
        # when time is scaled down the true wait is milliseconds, so round to nearest, often 0,
        # which keeps slack-sdk's RateLimitErrorRetryHandler (sleeps Retry-After + <1 s) quick.
        if self.time_scale >= 1.0:
            return max(1, math.ceil(wait))
        return round(wait)

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()
            self._windows.clear()
