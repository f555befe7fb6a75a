"""The GitHub client's retry policy, and PyGithub/requests failures translated to the port's errors.

Retries: PyGithub's own `GithubRetry` (it sleeps for Retry-After, waits for X-RateLimit-Reset
on the primary limit and `secondary_rate_wait` on a secondary one), but
- never for POST: urllib3 only re-sends a request whose method is in `allowed_methods` after a
  5xx, a 403/429 or a read error (timeout, connection dropped after sending); connect errors
  are retried for every method, which is safe because nothing was sent. A re-sent create could
  make a second issue, so the caller looks for the body marker instead.
- PATCH is added (urllib3's default list lacks it): our PATCHes set whole values, so sending
  one twice has the same effect as once.
- `raise_on_status=False`: when the budget is spent the last response reaches PyGithub, which
  raises a GithubException carrying the status and headers (Retry-After) we need.
- a wait longer than `max_rate_limit_wait` (primary reset, secondary wait, or Retry-After) is
  not slept: it becomes `Transient(retry_after=...)` so a worker thread is never parked for
  minutes; the worker reschedules instead.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any

import requests
from github import GithubException, GithubRetry, RateLimitExceededExceedsMaxWait
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

from tracker.sync.ports import (
    AccessRevoked,
    OutcomeUnknown,
    Rejected,
    TicketError,
    TicketGone,
    Transient,
)

RETRIED_METHODS = frozenset({"HEAD", "GET", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"})
SECONDARY_WAIT = 60.0  # GitHub's advice when a secondary limit comes without Retry-After
# GitHub's 422 field names -> the tracker's synced field names.
FIELD_NAMES = {"assignees": "assignee", "assignee": "assignee", "milestone": "due",
               "title": "title", "state": "phase", "state_reason": "phase", "labels": "priority",
               "body": "body"}


class CappedGithubRetry(GithubRetry):
    """GithubRetry that raises instead of sleeping for a Retry-After over max_rate_limit_wait
    (GithubRetry caps only the waits it computes itself, not the header urllib3 sleeps for)."""

    def increment(  # type: ignore[override]
        self, method: str | None = None, url: str | None = None, response: Any = None,
        error: Exception | None = None, _pool: Any = None, _stacktrace: TracebackType | None = None,
    ) -> GithubRetry:
        if response is not None and self.max_rate_limit_wait is not None:
            wait = _seconds(response.headers.get("Retry-After"))
            if wait is not None and wait > self.max_rate_limit_wait:
                raise RateLimitExceededExceedsMaxWait(
                    response.status, None, dict(response.headers), wait=wait)
        # GithubRetry.increment returns urllib3's Retry type; it is one of us (Retry.new).
        return super().increment(method, url, response, error, _pool, _stacktrace)  # type: ignore[return-value]


def default_retry(
    *, total: int = 3, backoff_factor: float = 0.5, secondary_rate_wait: float = SECONDARY_WAIT,
    max_rate_limit_wait: float = 30.0,
) -> GithubRetry:
    return CappedGithubRetry(
        total=total, backoff_factor=backoff_factor, allowed_methods=RETRIED_METHODS,
        raise_on_status=False, secondary_rate_wait=secondary_rate_wait,
        max_rate_limit_wait=max_rate_limit_wait,
    )


def check_retry(retry: GithubRetry | None) -> None:
    """Refuse a policy that would re-send POSTs (the port forbids retried creates)."""
    if retry is None:
        return
    methods = retry.allowed_methods
    if not methods or "POST" in {m.upper() for m in methods}:
        raise ValueError("the GitHub retry policy must not retry POST (see default_retry)")


def translate(
    error: Exception, *, write: bool = False, gone_is: str = "ticket", repo: str = ""
) -> Exception:
    """The port error for a failed call. write=True: a POST that may have been sent.
    gone_is="ticket": 404/410 mean the issue is gone; "repo": the repository is unusable."""
    if isinstance(error, TicketError):
        return error
    if isinstance(error, RateLimitExceededExceedsMaxWait):
        return Transient("GitHub rate limit: retry later", retry_after=error.wait)
    if isinstance(error, GithubException):
        return _from_status(error, write=write, gone_is=gone_is, repo=repo)
    if isinstance(error, requests.exceptions.RequestException):
        kind = "timed out" if isinstance(error, requests.exceptions.Timeout) else "failed"
        if write and _maybe_sent(error):
            return OutcomeUnknown(f"GitHub create {kind}; the issue may exist (look for the marker)")
        return Transient(f"GitHub request {kind} ({type(error).__name__})")
    return error


def _from_status(error: GithubException, *, write: bool, gone_is: str, repo: str) -> Exception:
    status, headers = error.status, error.headers or {}
    message = _message(error.data)
    text = f"GitHub {status}: {message}" if message else f"GitHub {status}"
    if status == 401:
        return AccessRevoked(f"{text} (token refused)")
    if status in (403, 429):
        retry_after = rate_limit_wait(headers, message)
        if retry_after is not None:
            return Transient(text, retry_after=retry_after)
        if status == 429 or not message:
            # An empty 403 is one GithubRetry already read (and judged a rate limit) before
            # giving up; a real refusal always carries a message.
            return Transient(text, retry_after=SECONDARY_WAIT)
        return AccessRevoked(f"{text} (forbidden for this token)")
    if status == 410:
        return TicketGone("deleted")
    if status == 404:
        if gone_is == "repo":
            return Rejected(f"repository {repo} not found or not visible to this token",
                            field="project")
        return TicketGone("not found or no access")
    if status == 422 or status == 400:
        return Rejected(text, field=_field(error.data))
    if status >= 500:
        if write:
            return OutcomeUnknown(f"{text}; the issue may exist (look for the marker)")
        return Transient(text)
    return Rejected(text)


def rate_limit_wait(headers: Mapping[str, Any], message: str = "") -> float | None:
    """Seconds to wait before asking again, if this reply says a rate limit was hit."""
    retry_after = _seconds(_header(headers, "Retry-After"))
    if retry_after is not None:
        return max(1.0, retry_after)
    if _header(headers, "X-RateLimit-Remaining") == "0":
        reset = _seconds(_header(headers, "X-RateLimit-Reset"))
        if reset is not None:
            return max(1.0, reset - time.time())
    if "rate limit" in message.lower():
        return SECONDARY_WAIT
    return None


def _maybe_sent(error: requests.exceptions.RequestException) -> bool:
    """False only when the request surely never left (connect refused or timed out)."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return False
    reason = error.args[0] if error.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return not isinstance(reason, NewConnectionError | ConnectTimeoutError)


def _header(headers: Mapping[str, Any], name: str) -> str | None:
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return str(value)
    return None


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None  # an HTTP-date Retry-After: GitHub sends seconds; let the retry layer cope


def _message(data: Any) -> str:
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return data["message"][:200]
    return ""


def _field(data: Any) -> str | None:
    errors = data.get("errors") if isinstance(data, dict) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        name = str(errors[0].get("field") or "")
        return FIELD_NAMES.get(name, name or None)
    return None
