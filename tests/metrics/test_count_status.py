"""How a counted metric's counting stands (tracker/metrics/count_status.py), through the real
worker and clients against the emulators: up to date after the backfill, retrying while the
vendor fails, given up with the vendor's message when it refuses the query (and then left alone
by the sweep), and back in the queue after a lead's retry."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from integrations.emulation import Fault
from tests import factories
from tests.metrics.counting_harness import CURRENT_WEEK, Clock, Counted, seeded
from tests.metrics.test_counting_backfill import new_metric, sweep
from tracker.activity.models import ActivityEntry
from tracker.config import Settings
from tracker.errors import Conflict
from tracker.metrics.count_status import count_status, retry_count
from tracker.metrics.models import CountState, SuccessMetric
from tracker.people.models import Role
from tracker.worker.runner import Worker

BAD_QUERY = {"jira": ("project = SUP AND labels === invoice-vat", "Error in the JQL Query"),
             "github": ("repo:acme/no-such-repo label:invoice-vat", "cannot be searched")}


@pytest.fixture
def vendor(request: pytest.FixtureRequest) -> Iterator[Counted]:
    yield from seeded(request.param)


def status(session: Any, metric: SuccessMetric) -> Any:
    session.expire_all()
    return count_status(session, session.get(SuccessMetric, metric.id))


@pytest.mark.parametrize("vendor", ["jira"], indirect=True)
def test_waiting_retrying_then_up_to_date(session: Any, count_settings: Settings, worker: Worker,
                                          clock: Clock, vendor: Counted) -> None:
    metric = new_metric(session, count_settings, vendor)
    assert status(session, metric).state is CountState.not_counted_yet
    sweep(session, clock)
    queued = status(session, metric)
    assert queued.state is CountState.waiting and queued.attempts == 0 and queued.last_error is None

    vendor.inject_after(3, [Fault.SERVER_ERROR] * 4)  # three weeks counted, then the vendor fails
    worker.run_until_idle()
    failing = status(session, metric)
    assert failing.state is CountState.retrying, failing
    assert failing.attempts == 1 and failing.last_error and failing.next_attempt_at is not None
    assert failing.counted_at == clock() and failing.counted_through is not None

    clock.advance(timedelta(minutes=30))
    worker.run_until_idle()
    done = status(session, metric)
    assert done.state is CountState.up_to_date, done
    assert done.counted_through == CURRENT_WEEK - timedelta(days=1) and done.counted_at == clock()
    assert done.last_error is None and done.given_up_at is None


@pytest.mark.parametrize("vendor", ["jira", "github"], indirect=True)
def test_given_up_with_the_vendor_message_then_retried(session: Any, count_settings: Settings, worker: Worker,
                                                      clock: Clock, vendor: Counted) -> None:
    metric = new_metric(session, count_settings, vendor)
    lead = factories.person(session, Role.lead)
    # The vendor stops accepting the query after it was checked (a project renamed, a repository gone).
    query, vendor_text = BAD_QUERY[vendor.kind]
    session.execute(update(SuccessMetric).where(SuccessMetric.id == metric.id).values(query=query))
    session.commit()
    sweep(session, clock)
    worker.run_until_idle()
    gave_up = status(session, metric)
    assert gave_up.state is CountState.given_up, gave_up
    assert vendor_text in (gave_up.last_error or "") and gave_up.given_up_at == clock()
    assert gave_up.counted_at is None and gave_up.message_id is not None

    # The sweep leaves it alone: no new message that would fail the same way every minute.
    clock.advance(timedelta(minutes=5))
    assert sweep(session, clock) == 0
    assert status(session, metric).message_id == gave_up.message_id

    # The lead fixes the query (as the owner of the project did) and retries: waiting again.
    session.execute(update(SuccessMetric).where(SuccessMetric.id == metric.id).values(query=vendor.query))
    session.commit()
    retried = retry_count(session, actor=lead, metric_id=metric.id, now=clock())
    session.commit()
    assert retried.state is CountState.waiting and retried.message_id == gave_up.message_id
    assert session.scalars(select(ActivityEntry.action).where(
        ActivityEntry.entity_type == "outbox_message", ActivityEntry.entity_id == gave_up.message_id)).all() == [
        "retried"]
    worker.run_until_idle()
    assert status(session, metric).state is CountState.up_to_date

    with pytest.raises(Conflict, match="up to date"):
        retry_count(session, actor=lead, metric_id=metric.id, now=clock())
