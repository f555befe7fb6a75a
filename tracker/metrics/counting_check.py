"""Checking a counted metric's query with the vendor before it is stored (tracker.metrics.service's
QueryChecker): one count of the last closed week, through the same client the worker uses.

- the vendor refuses the query (Jira 400 `errorMessages`, GitHub 422 "Validation Failed"):
  422 on `query`, naming the vendor's message;
- the connection is not configured, or is of the other kind: 422 on `connection`;
- the vendor cannot be reached, is failing (5xx), rate-limits us, or refuses our credentials:
  503 `vendor_unavailable` (with Retry-After when the vendor gave one). Nothing is stored: a
  query nobody could check would only fail later, in the worker, where nobody sees it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, Request

from tracker.errors import InvalidInput, TrackerError
from tracker.metrics.counting import SYSTEMS
from tracker.metrics.counting_ports import TicketCounters
from tracker.metrics.models import Period, SourceKind
from tracker.metrics.periods import period_start
from tracker.metrics.service import QueryChecker
from tracker.sync.connections import NotConfigured
from tracker.sync.ports import AccessRevoked, Rejected, TicketError, Transient
from tracker.types import utcnow


class VendorUnavailable(TrackerError):
    status = 503
    code = "vendor_unavailable"

    def __init__(self, message: str, *, field: str | None = None, retry_after: float | None = None) -> None:
        super().__init__(message, field=field)
        self.headers = {"Retry-After": str(max(1, round(retry_after)))} if retry_after else None


def make_checker(counters: TicketCounters, *, now: Callable[[], datetime] = utcnow) -> QueryChecker:
    def check(*, kind: SourceKind, connection: str, query: str) -> None:
        system, _ = SYSTEMS[kind]
        try:
            counter = counters.for_connection(system, connection)
        except NotConfigured as exc:
            raise InvalidInput(str(exc), field="connection") from None
        last_week = period_start(Period.weekly, now().date()) - timedelta(days=7)
        try:
            counter.count(query, first_day=last_week, last_day=last_week + timedelta(days=6))
        except Rejected as exc:
            raise InvalidInput(str(exc), field="query") from None
        except Transient as exc:
            raise VendorUnavailable(
                f"{system} could not check the query now ({exc}); nothing was saved, try again",
                field="query", retry_after=exc.retry_after) from None
        except AccessRevoked as exc:
            raise VendorUnavailable(
                f"{system} refuses the connection '{connection}' ({exc}); nothing was saved",
                field="connection") from None
        except TicketError as exc:
            raise VendorUnavailable(f"{system} could not check the query: {exc}", field="query") from None

    return check


def counters_of(state: Any) -> TicketCounters:
    """The app's counters, made on first use (tests may set `app.state.ticket_counters`)."""
    counters = getattr(state, "ticket_counters", None)
    if counters is None:
        from tracker.wiring import ticket_counter_factory

        counters = state.ticket_counters = TicketCounters(state.settings, ticket_counter_factory)
    return counters  # type: ignore[no-any-return]


def query_checker(request: Request) -> QueryChecker:
    return make_checker(counters_of(request.app.state))


QueryCheck = Annotated[QueryChecker, Depends(query_checker)]
