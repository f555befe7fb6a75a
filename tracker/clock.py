"""The one place "today" comes from, so tests and sweeps can pin the date.

Requests read it through the `Today` dependency, which honours `app.state.today` (a callable
returning a `date`) when set: tests do `app.state.today = lambda: date(2031, 1, 15)`.
Dates are UTC dates; a deadline is "passed" once the UTC day after it has begun.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import Depends, Request


def today() -> date:
    return datetime.now(UTC).date()


def request_today(request: Request) -> date:
    override: Callable[[], date] | None = getattr(request.app.state, "today", None)
    return override() if override is not None else today()


Today = Annotated[date, Depends(request_today)]
