"""How the counting of a Jira/GitHub metric stands, read from the metric and its outbox messages
(`metrics.count`, one ordering key per metric), and the lead's retry of a given-up count.

- `counted_at` / `counted_through`: when the worker last recorded a count, and the last day
  counted so far;
- waiting: a count is queued and has not failed yet; retrying: it failed (the reason is kept)
  and the worker tries again at `next_attempt_at`;
- given up: the newest count message is dead (the vendor refused the query, the connection is
  not configured, or the retries ran out): the sweep leaves the metric alone until a lead
  retries it or edits its query;
- up to date: nothing waiting and nothing given up; not counted yet: never counted at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.errors import Conflict
from tracker.health.retry import retry_message
from tracker.metrics.counting import SYSTEMS, newest_messages
from tracker.metrics.models import CountState, SuccessMetric
from tracker.metrics.service import get_metric
from tracker.outbox.models import OutboxMessage, OutboxState
from tracker.people.models import Person


@dataclass(frozen=True)
class CountStatus:
    state: CountState
    counted_at: datetime | None
    counted_through: date | None
    attempts: int = 0  # of the waiting or retrying count
    next_attempt_at: datetime | None = None
    last_error: str | None = None  # why the last attempt failed, or why the worker gave up
    given_up_at: datetime | None = None
    message_id: int | None = None  # the outbox message concerned (retry a given-up one by it)


def count_statuses(session: Session, metrics: list[SuccessMetric]) -> dict[int, CountStatus]:
    """{metric id: its counting status} for the counted metrics among `metrics` (two queries)."""
    counted = [m for m in metrics if m.source_kind in SYSTEMS]
    newest = newest_messages(session, [m.id for m in counted])
    wanted: dict[int, int] = {}  # metric id -> the message that decides its state
    for m in counted:
        by_state = newest[m.id]
        if OutboxState.pending in by_state:
            wanted[m.id] = by_state[OutboxState.pending]
        elif by_state.get(OutboxState.dead, 0) > by_state.get(OutboxState.done, 0):
            wanted[m.id] = by_state[OutboxState.dead]
    messages = {msg.id: msg for msg in session.scalars(
        select(OutboxMessage).where(OutboxMessage.id.in_(list(wanted.values()))))} if wanted else {}
    statuses: dict[int, CountStatus] = {}
    for m in counted:
        message = messages.get(wanted.get(m.id, 0))
        statuses[m.id] = _status(m, message)
    return statuses


def _status(m: SuccessMetric, message: OutboxMessage | None) -> CountStatus:
    if message is None:
        state = CountState.up_to_date if m.counted_through is not None else CountState.not_counted_yet
        return CountStatus(state, m.counted_at, m.counted_through)
    if message.state is OutboxState.dead:
        return CountStatus(CountState.given_up, m.counted_at, m.counted_through, attempts=message.attempts,
                           last_error=message.last_error, given_up_at=message.completed_at,
                           message_id=message.id)
    state = CountState.retrying if message.last_error else CountState.waiting
    return CountStatus(state, m.counted_at, m.counted_through, attempts=message.attempts,
                       next_attempt_at=message.available_at, last_error=message.last_error,
                       message_id=message.id)


def count_status(session: Session, metric: SuccessMetric) -> CountStatus | None:
    return count_statuses(session, [metric]).get(metric.id)


def retry_count(session: Session, *, actor: Person, metric_id: int, now: datetime) -> CountStatus:
    """Put a metric's given-up count back in the queue (the health page's retry, logged alike);
    409 when nothing was given up."""
    metric = get_metric(session, metric_id)
    status = count_status(session, metric)
    if status is None or status.state is not CountState.given_up or status.message_id is None:
        said = "is not counted from Jira or GitHub" if status is None else f"is {status.state.value.replace('_', ' ')}"
        raise Conflict(f"metric {metric_id} {said}: there is no given-up count to retry", field="metric_id")
    retry_message(session, actor=actor, message_id=status.message_id, now=now)
    session.expire(metric)
    retried = count_status(session, metric)
    assert retried is not None
    return retried
