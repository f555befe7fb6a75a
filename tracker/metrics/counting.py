"""Counted metrics: the worker asks Jira or GitHub how many issues a query finds per period.

One outbox message (`metrics.count`, one per metric, coalesced) counts every period that is
due, oldest first, one vendor call each:
- a new metric (or one whose query changed: `counted_through` is then None) is backfilled with
  the `backfill` closed periods before the current one (12 by default);
- afterwards each period is counted once it has closed (and `SETTLE` has passed, so the
  vendor's search index has caught up), queued by the scheduled sweep `queue_due_counts`.
Each count is recorded, and the `counted_through` watermark moved to the period's last day, in
one transaction; the watermark only moves from the value the count started from and only while
the query is the one counted. So a vendor fault in the middle leaves the periods before it
counted and the rest for the outbox's retry: no period is counted twice or skipped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from tracker.db import transaction
from tracker.metrics.counting_ports import TicketCounters
from tracker.metrics.models import ObservationSource, Period, SourceKind, SuccessMetric
from tracker.metrics.observations import record_observation
from tracker.metrics.periods import next_start, period_end, period_start
from tracker.outbox.models import OutboxMessage, OutboxState
from tracker.outbox.service import enqueue
from tracker.sync.connections import NotConfigured
from tracker.sync.ports import AccessRevoked, Rejected, TicketError, Transient
from tracker.worker.errors import GiveUp, RetryLater
from tracker.worker.runner import WorkerContext

log = logging.getLogger(__name__)

COUNT_KIND = "metrics.count"
DEFAULT_BACKFILL = 12
# A period is counted this long after it closed: Jira's approximate count and GitHub's search
# read an index that trails writes, and a ticket filed at 23:59 on Sunday must be in it.
SETTLE = timedelta(hours=1)
SYSTEMS: dict[SourceKind, tuple[str, ObservationSource]] = {
    SourceKind.jira_count: ("jira", ObservationSource.jira),
    SourceKind.github_count: ("github", ObservationSource.github),
}


def ordering_key(metric_id: int) -> str:
    return f"metric:{metric_id}"


def queue_count(session: Session, metric_id: int) -> OutboxMessage | None:
    """Queue the counting of a metric's due periods (nothing when one is already waiting)."""
    return enqueue(session, kind=COUNT_KIND, payload={"metric_id": metric_id},
                   ordering_key=ordering_key(metric_id), coalesce=True)


def queue_if_counted(session: Session, metric: SuccessMetric) -> None:
    """After a create or an edit (API and pages alike): a counted metric with nothing counted
    yet (new, or its query changed) is backfilled now rather than at the next sweep."""
    if metric.source_kind in SYSTEMS and metric.counted_through is None:
        queue_count(session, metric.id)


def _closed_before(period: Period, now: datetime) -> date:
    """The first day of the earliest period not yet counted as closed at `now`."""
    return period_start(period, (now - SETTLE).date())


def due_periods(period: Period, counted_through: date | None, now: datetime, *,
                backfill: int = DEFAULT_BACKFILL) -> list[date]:
    """First days of the periods to count now, oldest first."""
    current = _closed_before(period, now)
    if counted_through is None:
        first = current
        for _ in range(backfill):
            first = period_start(period, first - timedelta(days=1))
    else:
        first = next_start(period, period_start(period, counted_through))
    starts: list[date] = []
    while first < current:
        starts.append(first)
        first = next_start(period, first)
    return starts


def queue_due_counts(session: Session, now: datetime) -> int:
    """The scheduled sweep: queue counted metrics with a closed period not counted yet."""
    weekly = _closed_before(Period.weekly, now) - timedelta(days=1)
    monthly = _closed_before(Period.monthly, now) - timedelta(days=1)
    stmt = select(SuccessMetric.id).where(
        SuccessMetric.source_kind.in_(list(SYSTEMS)),
        or_(SuccessMetric.counted_through.is_(None),
            and_(SuccessMetric.period == Period.weekly, SuccessMetric.counted_through < weekly),
            and_(SuccessMetric.period == Period.monthly, SuccessMetric.counted_through < monthly)),
    ).order_by(SuccessMetric.id)
    due = list(session.scalars(stmt))
    # A metric the worker gave up on waits for a lead (retry, or a corrected query): queueing
    # it again every sweep would only repeat the failure and bury the reason under new ones.
    given_up = given_up_ids(session, due)
    return sum(1 for metric_id in due if metric_id not in given_up and queue_count(session, metric_id))


def given_up_ids(session: Session, metric_ids: list[int]) -> set[int]:
    """The metrics whose newest count message was given up (none waiting or done after it)."""
    newest = newest_messages(session, metric_ids)
    return {metric_id for metric_id, by_state in newest.items()
            if OutboxState.pending not in by_state and OutboxState.dead in by_state
            and by_state[OutboxState.dead] > by_state.get(OutboxState.done, 0)}


def newest_messages(session: Session, metric_ids: list[int]) -> dict[int, dict[OutboxState, int]]:
    """{metric id: {state: id of its newest count message in that state}}: one grouped query
    per 500 metrics, served by the outbox's (ordering_key, state, id) index."""
    keys = {ordering_key(m): m for m in metric_ids}
    found: dict[int, dict[OutboxState, int]] = {m: {} for m in metric_ids}
    for chunk in (list(keys)[i:i + 500] for i in range(0, len(keys), 500)):
        rows = session.execute(
            select(OutboxMessage.ordering_key, OutboxMessage.state, func.max(OutboxMessage.id))
            .where(OutboxMessage.kind == COUNT_KIND, OutboxMessage.ordering_key.in_(chunk))
            .group_by(OutboxMessage.ordering_key, OutboxMessage.state))
        for key, state, newest in rows:
            found[keys[str(key)]][OutboxState(state)] = newest
    return found


@dataclass(frozen=True)
class _Plan:
    """What one count was started from: the watermark only moves if all of it still holds."""

    metric_id: int
    kind: SourceKind
    query: str
    connection: str
    counted_through: date | None
    start: date
    last_day: date


class _Moved(Exception):
    """The metric changed (query edited, another worker counted) while we were counting."""


def _plan(session: Session, metric_id: int, now: datetime, backfill: int) -> _Plan | None:
    metric = session.get(SuccessMetric, metric_id)
    if metric is None or metric.source_kind not in SYSTEMS or not metric.query or not metric.connection:
        return None
    due = due_periods(metric.period, metric.counted_through, now, backfill=backfill)
    if not due:
        return None
    return _Plan(metric.id, metric.source_kind, metric.query, metric.connection,
                 metric.counted_through, due[0], period_end(metric.period, due[0]))


def _record(session: Session, plan: _Plan, value: int, now: datetime) -> None:
    """The count and the watermark, together; raises _Moved if the metric moved meanwhile."""
    watermark = (SuccessMetric.counted_through.is_(None) if plan.counted_through is None
                 else SuccessMetric.counted_through == plan.counted_through)
    # A plain UPDATE: bookkeeping must not bump the version a lead's edit is checked against.
    moved = session.execute(
        update(SuccessMetric)
        .where(SuccessMetric.id == plan.metric_id, SuccessMetric.query == plan.query,
               SuccessMetric.connection == plan.connection,
               SuccessMetric.source_kind == plan.kind, watermark)
        .values(counted_through=plan.last_day, counted_at=now)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise _Moved
    record_observation(session, plan.metric_id, plan.start, float(value), SYSTEMS[plan.kind][1])


def deliver_count(ctx: WorkerContext, message: OutboxMessage) -> None:
    """Count every due period of one metric, one vendor call and one transaction each."""
    counters: TicketCounters = ctx.resources["ticket_counters"]
    backfill = int(getattr(ctx.resources.get("settings"), "metrics_backfill_periods", DEFAULT_BACKFILL))
    metric_id = int(message.payload["metric_id"])
    while True:
        with transaction(ctx.session_factory) as session:
            plan = _plan(session, metric_id, ctx.clock(), backfill)
        if plan is None:
            return
        system, _ = SYSTEMS[plan.kind]
        try:
            counter = counters.for_connection(system, plan.connection)
            value = counter.count(plan.query, first_day=plan.start, last_day=plan.last_day)
        except Transient as exc:
            raise RetryLater(str(exc), retry_after=exc.retry_after) from exc
        except (NotConfigured, Rejected, AccessRevoked) as exc:
            # Retrying cannot fix these; the lead fixes the query or the connection, and an
            # edit of the query starts the counting over.
            log.warning("metric %s cannot be counted: %s", metric_id, exc)
            raise GiveUp(f"metric {metric_id}: {exc}") from exc
        except TicketError as exc:
            raise RetryLater(str(exc)) from exc
        try:
            with transaction(ctx.session_factory) as session:
                _record(session, plan, value, ctx.clock())
        except _Moved:
            log.info("metric %s changed while counting %s; planning again", metric_id, plan.start)

