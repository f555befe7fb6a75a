"""Who may call, and how often: basic-auth parsing, Jira's 401, and the per-account rate limit.

Jira Cloud answers an exhausted quota with 429, `Retry-After` (seconds) and the `X-RateLimit-*`
headers; the jira client sleeps on Retry-After, so tests keep it small.
"""

from __future__ import annotations

import base64
import contextlib
import socket
import threading
import time
from datetime import UTC, datetime, timedelta

from integrations.emulation import Response


def basic_credentials(header: str) -> tuple[str, str] | None:
    """(email, api_token) from an `Authorization: Basic ...` header, None if malformed."""
    try:
        scheme, encoded = header.split(" ", 1)
        email, token = base64.b64decode(encoded).decode().split(":", 1)
    except ValueError:
        return None
    return (email, token) if scheme.lower() == "basic" else None


def unauthorized() -> Response:
    body = {"errorMessages": ["Client must be authenticated to access this resource."], "errors": {}}
    headers = {
        "WWW-Authenticate": 'Basic realm="protected-area"',
        "X-Seraph-LoginReason": "AUTHENTICATED_FAILED",
    }
    return Response(401, body, headers)


def too_many(retry_after: int, reset_in: float, limit: int | None) -> Response:
    reset = datetime.now(UTC) + timedelta(seconds=max(reset_in, 0))
    headers = {
        "Retry-After": str(retry_after),
        "X-RateLimit-Limit": str(limit or 100),
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "X-RateLimit-NearLimit": "true",
        "RateLimit-Reason": "jira-burst-based",
    }
    return Response(429, {"errorMessages": ["Rate limit exceeded."], "errors": {}}, headers)


class RateLimiter:
    """Fixed window per account, on wall-clock time (not the emulator's manual clock)."""

    def __init__(self) -> None:
        self.limit: int | None = None  # requests per window per account; None = unlimited
        self.window = 60.0
        self.retry_after = 1
        self.violations = 0
        self._windows: dict[str, tuple[float, int]] = {}  # account -> (window start, count)
        self._lock = threading.Lock()

    def configure(self, limit: int | None, window: float, retry_after: int) -> None:
        with self._lock:
            self.limit, self.window, self.retry_after = limit, window, retry_after
            self._windows.clear()

    def check(self, account: str) -> Response | None:
        """None when the request may proceed; the 429 to send otherwise."""
        with self._lock:
            if self.limit is None:
                return None
            now = time.monotonic()
            start, count = self._windows.get(account, (now, 0))
            if now - start >= self.window:
                start, count = now, 0
            if count >= self.limit:
                self.violations += 1
                return too_many(self.retry_after, self.window - (now - start), self.limit)
            self._windows[account] = (start, count + 1)
            return None


def poke(port: int) -> None:
    """Open and close a connection to a local server (wakes a shutting-down serve_forever)."""
    with contextlib.suppress(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
