"""How a handler tells the worker what to do with a message it could not finish."""

from __future__ import annotations


class RetryLater(Exception):
    """A passing failure: try again after backoff (and not before `retry_after` seconds)."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class GiveUp(Exception):
    """A failure retrying cannot fix; the handler has already recorded why where users look."""
