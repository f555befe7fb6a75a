"""Counted metrics through the real clients against the emulators: the backfill of 12 weekly
periods, one call per new period, and vendor faults in the middle of the backfill."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from integrations.emulation import Fault
from tests import factories
from tests.factories.journeys import journey_map
from tests.metrics.counting_harness import CURRENT_WEEK, NOW, WEEKS, Clock, Counted, expected, seeded
from tracker.config import Settings
from tracker.metrics.counting import COUNT_KIND, queue_due_counts
from tracker.metrics.counting_check import make_checker
from tracker.metrics.counting_ports import TicketCounters
from tracker.metrics.models import Observation, ObservationSource, SuccessMetric
from tracker.metrics.schemas import MetricCreate
from tracker.metrics.service import create_metric
from tracker.outbox.models import OutboxMessage, OutboxState
from tracker.people.models import Role
from tracker.wiring import ticket_counter_factory
from tracker.worker.runner import Worker


@pytest.fixture(params=["jira", "github"])
def vendor(request: pytest.FixtureRequest) -> Iterator[Counted]:
    yield from seeded(request.param)


def new_metric(session: Any, settings: Settings, vendor: Counted) -> SuccessMetric:
    lead = factories.person(session, Role.lead)
    jmap = journey_map(session)
    checker = make_checker(TicketCounters(settings, ticket_counter_factory), now=lambda: NOW)
    metric = create_metric(session, actor=lead, journey_map_id=jmap.id, checker=checker, data=MetricCreate(
        name="Invoice VAT contacts", unit="tickets", source_kind=vendor.source_kind,
        query=vendor.query, connection=vendor.connection_name))
    session.commit()
    return metric


def sweep(session: Any, clock: Clock) -> int:
    queued = queue_due_counts(session, clock())
    session.commit()
    return queued


def values(session: Any, metric_id: int) -> dict[Any, tuple[float, ObservationSource]]:
    session.expire_all()
    rows = session.scalars(select(Observation).where(Observation.metric_id == metric_id))
    return {o.period_start: (o.value, o.source) for o in rows}


def run_to_completion(worker: Worker, clock: Clock, vendor: Counted, session: Any) -> list[OutboxMessage]:
    """Run the worker; after each retry move its clock (and real time for GitHub's window)."""
    for _ in range(20):
        worker.run_until_idle()
        session.expire_all()
        pending = session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == COUNT_KIND, OutboxMessage.state == OutboxState.pending)).all()
        if not pending:
            break
        clock.advance(timedelta(minutes=2))
        if vendor.kind == "github":
            time.sleep(1.05)  # the emulator's search minute (time_scale=60) is one real second
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == COUNT_KIND)))


def test_backfill_then_one_call_per_new_period(session: Any, count_settings: Settings, worker: Worker,
                                              clock: Clock, vendor: Counted) -> None:
    metric = new_metric(session, count_settings, vendor)
    assert vendor.count_calls() == 1  # the query was checked at creation
    vendor.emulator.reset_calls() if vendor.kind == "jira" else vendor.emulator.reset_counters()

    assert sweep(session, clock) == 1
    assert sweep(session, clock) == 0  # coalesced: one message per metric
    worker.run_until_idle()

    source = ObservationSource.jira if vendor.kind == "jira" else ObservationSource.github
    assert values(session, metric.id) == {week: (float(expected(week)), source) for week in WEEKS}
    assert vendor.count_calls() == 12
    session.refresh(metric)
    assert metric.counted_through == CURRENT_WEEK - timedelta(days=1)
    assert sweep(session, clock) == 0  # nothing closed since

    # The open week closes: one more call, for that week only.
    vendor.seed(CURRENT_WEEK, 2, other=0)  # late arrivals in the week now closing
    clock.advance(timedelta(days=5, hours=1))  # Monday 13:00
    assert sweep(session, clock) == 1
    worker.run_until_idle()
    assert vendor.count_calls() == 13
    assert values(session, metric.id)[CURRENT_WEEK] == (float(expected(CURRENT_WEEK) + 2), source)
    assert sweep(session, clock) == 0
    worker.run_until_idle()
    assert vendor.count_calls() == 13


FAULTS = {
    # More 5xx in a row than the client retries by itself (3): the outbox takes over.
    "server_errors": [Fault.SERVER_ERROR] * 4,
    "rate_limited": [Fault.RATE_LIMITED] * 4,
    "dropped": [Fault.DROP] * 4,
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_in_the_middle_of_the_backfill(session: Any, count_settings: Settings, worker: Worker,
                                             clock: Clock, vendor: Counted, fault: str) -> None:
    metric = new_metric(session, count_settings, vendor)
    vendor.emulator.reset_calls() if vendor.kind == "jira" else vendor.emulator.reset_counters()
    plan = vendor.inject_after(5, FAULTS[fault])  # five weeks counted, then the vendor fails
    sweep(session, clock)
    worker.run_until_idle()

    session.refresh(metric)
    assert metric.counted_through == WEEKS[4] + timedelta(days=6)  # stopped after five weeks
    assert len(values(session, metric.id)) == 5

    messages = run_to_completion(worker, clock, vendor, session)
    assert plan.injected, "the fault was injected"
    assert [m.state for m in messages] == [OutboxState.done]
    assert messages[0].attempts >= 2  # the outbox retried it
    source = ObservationSource.jira if vendor.kind == "jira" else ObservationSource.github
    assert values(session, metric.id) == {week: (float(expected(week)), source) for week in WEEKS}
    assert vendor.count_calls() == 12  # every week answered once: none twice, none skipped


@pytest.mark.parametrize("vendor", ["github"], indirect=True)  # Jira's search has no such quota
def test_search_rate_limit_spreads_the_backfill(session: Any, count_settings: Settings, worker: Worker,
                                                clock: Clock, vendor: Counted) -> None:
    """GitHub's search allows 30 calls a minute; here 5, so the backfill takes three minutes."""
    metric = new_metric(session, count_settings, vendor)
    vendor.emulator.reset_counters()
    vendor.emulator.search.limiter.per_minute = 5
    time.sleep(1.05)  # a fresh search minute
    sweep(session, clock)
    messages = run_to_completion(worker, clock, vendor, session)
    assert [m.state for m in messages] == [OutboxState.done]
    assert messages[0].attempts >= 3
    assert vendor.emulator.search.limiter.violations >= 2
    assert len(values(session, metric.id)) == 12
    assert vendor.count_calls() == 12 + vendor.emulator.search.limiter.violations
