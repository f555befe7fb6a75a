"""GitHub's REST rate limits: the hourly primary quota and the per-minute secondary limits.

`time_scale` shrinks GitHub's minutes and hours (time_scale=60 makes a "minute" one second of
`clock`), so benchmarks can hit the 80 creates/minute limit quickly. Retry-After is sent in
whole real seconds (urllib3 only honours integers) and never below 1, so a client that sleeps
for it is guaranteed to find room again.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field

DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})


@dataclass
class RateLimits:
    """GitHub's published defaults; every number is configurable."""

    primary_per_hour: int = 5000
    content_per_minute: int = 80  # content-creating (write) requests
    content_per_hour: int = 500
    points_per_minute: int = 900
    read_points: int = 1
    write_points: int = 5
    time_scale: float = 1.0
    status: int = 403  # GitHub answers 403 (sometimes 429) when a limit is hit
    content_methods: frozenset[str] = field(default_factory=lambda: WRITE_METHODS)

    @property
    def minute(self) -> float:
        return 60.0 / self.time_scale

    @property
    def hour(self) -> float:
        return 3600.0 / self.time_scale


@dataclass
class Refusal:
    kind: str  # "primary" | "secondary_content" | "secondary_points"
    retry_after: int | None  # seconds; None for the primary limit (clients wait for the reset)


@dataclass
class _Bucket:
    window_start: float
    used: int = 0
    content: deque[float] = field(default_factory=deque)
    points: deque[tuple[float, int]] = field(default_factory=deque)


class RateLimiter:
    """Per-token accounting; call under the emulator lock."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float]) -> None:
        self.limits = limits
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self.violations: Counter[str] = Counter()  # refused requests by limit kind

    def _bucket(self, key: str) -> _Bucket:
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(window_start=now)
        if now >= bucket.window_start + self.limits.hour:  # primary quota: fixed hourly window
            bucket.window_start, bucket.used = now, 0
        minute, hour = self.limits.minute, self.limits.hour
        while bucket.content and bucket.content[0] <= now - hour:
            bucket.content.popleft()
        while bucket.points and bucket.points[0][0] <= now - minute:
            bucket.points.popleft()
        return bucket

    def consume(self, key: str, method: str) -> Refusal | None:
        """Charge one request, or say which limit refuses it (counted as a violation)."""
        refusal = self._check(key, method)
        if refusal is not None:
            self.violations[refusal.kind] += 1
            return refusal
        now, bucket = self.clock(), self._bucket(key)
        bucket.used += 1
        if method in self.limits.content_methods:
            bucket.content.append(now)
        bucket.points.append((now, self._points(method)))
        return None

    def _points(self, method: str) -> int:
        return self.limits.write_points if method in WRITE_METHODS else self.limits.read_points

    def _check(self, key: str, method: str) -> Refusal | None:
        limits, now, bucket = self.limits, self.clock(), self._bucket(key)
        if bucket.used >= limits.primary_per_hour:
            return Refusal("primary", None)
        if method in limits.content_methods:
            recent = [t for t in bucket.content if t > now - limits.minute]
            if len(recent) >= limits.content_per_minute:
                return Refusal("secondary_content", self._wait(recent[0] + limits.minute - now))
            if len(bucket.content) >= limits.content_per_hour:
                wait = self._wait(bucket.content[0] + limits.hour - now)
                return Refusal("secondary_content", wait)
        cost = self._points(method)
        spent = sum(points for _, points in bucket.points)
        if spent + cost > limits.points_per_minute:
            # Wait until enough of the oldest points leave the one-minute window.
            freed, until = 0, now
            for at, points in bucket.points:
                freed += points
                until = at + limits.minute
                if spent - freed + cost <= limits.points_per_minute:
                    break
            return Refusal("secondary_points", self._wait(until - now))
        return None

    @staticmethod
    def _wait(seconds: float) -> int:
        return max(1, math.ceil(seconds))

    def headers(self, key: str) -> dict[str, str]:
        """The `X-RateLimit-*` headers GitHub puts on every response."""
        bucket = self._bucket(key)
        limit = self.limits.primary_per_hour
        reset = math.ceil(bucket.window_start + self.limits.hour)
        return {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(max(0, limit - bucket.used)),
            "X-RateLimit-Reset": str(reset),
            "X-RateLimit-Used": str(bucket.used),
            "X-RateLimit-Resource": "core",
        }

    def remaining(self, key: str) -> int:
        return max(0, self.limits.primary_per_hour - self._bucket(key).used)

    @property
    def violation_count(self) -> int:
        return sum(self.violations.values())


def refusal_body(refusal: Refusal, login: str, user_id: int) -> dict[str, str]:
    if refusal.kind == "primary":
        message = (
            f"API rate limit exceeded for user ID {user_id}. If you reach out to GitHub Support "
            "for help, please include the request ID EMULATOR."
        )
        return {"message": message, "documentation_url": DOCS, "status": "403"}
    message = (
        "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
        "again. If you reach out to GitHub Support for help, please include the request ID "
        "EMULATOR."
    )
    return {"message": message, "documentation_url": f"{DOCS}#about-secondary-rate-limits"}
