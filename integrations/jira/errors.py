"""Turn what the `jira` client raises into the port's errors (tracker.sync.ports).

Messages are built from the HTTP status and Jira's own error texts only: `str(JIRAError)` can
carry request headers and bodies, so it never ends up in a message, log or `__cause__`.
"""

from __future__ import annotations

import email.utils
import time
from typing import Any

import requests
from jira import JIRAError
from urllib3.exceptions import NewConnectionError

from tracker.sync.ports import (
    AccessRevoked,
    OutcomeUnknown,
    Rejected,
    TicketError,
    TicketGone,
    Transient,
)


def jira_errors(error: JIRAError) -> tuple[list[str], dict[str, str]]:
    """(errorMessages, errors) of a Jira error reply; empty when the body is not Jira's JSON."""
    response = error.response
    try:
        body: Any = response.json() if response is not None else None
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return [], {}
    messages = body.get("errorMessages") or []
    errors = body.get("errors") or {}
    return (
        [str(m) for m in messages] if isinstance(messages, list) else [str(messages)],
        {str(k): str(v) for k, v in errors.items()} if isinstance(errors, dict) else {},
    )


def describe(error: JIRAError) -> str:
    """A safe one-line summary: status plus Jira's messages."""
    messages, errors = jira_errors(error)
    parts = messages + [f"{field}: {text}" for field, text in errors.items()]
    return f"HTTP {error.status_code}" + (f" ({'; '.join(parts)})" if parts else "")


def retry_after(error: JIRAError) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    response = error.response
    value = response.headers.get("Retry-After") if response is not None else None
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(moment.timestamp() - time.time(), 0.0)


def _never_sent(error: requests.RequestException) -> bool:
    """True when the request certainly did not reach Jira (connect failed or timed out)."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return True
    reason = error.args[0] if error.args else None
    return isinstance(getattr(reason, "reason", None), NewConnectionError)


def translate(error: Exception, *, doing: str, write: bool = False) -> TicketError:
    """The port error for `error`, raised while trying to `doing` (e.g. "update CX-12")."""
    if isinstance(error, TicketError):
        return error
    if isinstance(error, JIRAError):
        status = error.status_code
        what = f"Jira answered {describe(error)} when asked to {doing}"
        if status == 401:
            return AccessRevoked(f"Jira refused our credentials (401) when asked to {doing}")
        response = error.response
        if status == 403 and response is not None and "x-authentication-denied-reason" in response.headers:
            return AccessRevoked(f"Jira denies our login (403, CAPTCHA or policy) when asked to {doing}")
        if status == 404:
            return TicketGone(
                f"Jira answered 404 when asked to {doing}: the ticket is deleted or no longer "
                "visible to our account (Jira cannot tell which)"
            )
        if status == 429 or (status is not None and status >= 500):
            return Transient(what, retry_after=retry_after(error))
        if status is None:  # e.g. a 2xx reply without the expected body
            return OutcomeUnknown(what) if write else Transient(what)
        _, errors = jira_errors(error)
        return Rejected(what, field=next(iter(errors), None))
    if isinstance(error, requests.RequestException):
        kind = type(error).__name__
        if write and not _never_sent(error):
            return OutcomeUnknown(f"{kind} after sending the request to {doing}; it may have happened")
        return Transient(f"{kind} when trying to {doing}")
    if isinstance(error, ValueError):  # unreadable JSON in a reply
        message = f"unreadable reply from Jira when asked to {doing}"
        return OutcomeUnknown(message) if write else Transient(message)
    raise error
