"""Words for the health page: ages, due times and statuses, computed from one `now`."""

from __future__ import annotations

from datetime import datetime, timedelta

from tracker.health.service import WHAT

STATUS_WORDS = {"ok": "Working", "retrying": "Retrying", "attention": "Needs attention", "off": "Not configured"}
OUTCOME_WORDS = {"queued": "applied", "echo": "our own changes", "unlinked": "not linked", "ignored": "ignored"}


def span(delta: timedelta) -> str:
    seconds = int(abs(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 120:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h" if hours < 48 else f"{hours // 24} days"


def relative(now: datetime, when: datetime | None) -> str:
    """'5 min ago', 'in 3 min', or 'never'."""
    if when is None:
        return "never"
    delta = when - now
    if abs(delta) < timedelta(seconds=1):
        return "now"
    return f"in {span(delta)}" if delta > timedelta(0) else f"{span(delta)} ago"


def outcomes(by_outcome: dict[str, int]) -> str:
    """'3 applied, 1 our own changes' (what happened to the deliveries received)."""
    return ", ".join(f"{n} {OUTCOME_WORDS.get(k, k)}" for k, n in sorted(by_outcome.items()) if n)


def what(kind: str | None) -> str:
    """An outbox kind in words ('ticket.sync' -> 'ticket sync')."""
    return WHAT.get(kind or "", kind or "").lower()
