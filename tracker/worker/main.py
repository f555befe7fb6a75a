"""The `tracker worker` process: delivers the outbox and triggers the periodic sweeps.

APScheduler only *triggers* sweeps (reconciliation now; nudges and digests later). A sweep
writes outbox messages, and the outbox decides who does the work: so any number of worker
processes can run the scheduler at once without doing anything twice.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.orm import Session, sessionmaker

from tracker import nudges, sync
from tracker.config import Settings
from tracker.db import make_engine, make_session_factory, transaction
from tracker.health.recorder import record_success
from tracker.metrics.counting import queue_due_counts
from tracker.nudges import jobs
from tracker.slack.outbound import PROMPT_KINDS
from tracker.sync.inbound import queue_reconciliation
from tracker.worker.handlers import default_give_up_hooks, default_handlers
from tracker.worker.runner import Worker, WorkerContext

log = logging.getLogger(__name__)


def build_worker(settings: Settings, session_factory: sessionmaker[Session], *, factory: Any = None,
                 worker_id: str | None = None) -> Worker:
    from tracker.wiring import worker_resources

    sync.install()
    nudges.install()
    ctx = WorkerContext(session_factory=session_factory, resources=worker_resources(settings, factory))
    return Worker(ctx, default_handlers(), give_up_hooks=default_give_up_hooks(), worker_id=worker_id,
                  lease=timedelta(seconds=settings.outbox_lease_seconds),
                  max_attempts=settings.outbox_max_attempts, backoff_scale=settings.outbox_backoff_scale,
                  prompt_kinds=PROMPT_KINDS, on_success=record_success)


def start_scheduler(settings: Settings, session_factory: sessionmaker[Session]) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")

    def reconcile() -> None:
        with transaction(session_factory) as session:
            queued = queue_reconciliation(session)
        log.info("reconciliation queued for %d ticket targets", queued)

    # coalesce + max_instances=1: after downtime, one catch-up run, not a flood of missed ones.
    scheduler.add_job(reconcile, "interval", seconds=settings.reconcile_interval_seconds,
                      id="reconcile", coalesce=True, max_instances=1, misfire_grace_time=None)
    def count_metrics() -> None:
        # Counted metrics whose period closed (or new ones, to backfill): one message each.
        with transaction(session_factory) as session:
            queued = queue_due_counts(session, datetime.now(UTC))
        if queued:
            log.info("metric counts queued for %d metrics", queued)

    scheduler.add_job(count_metrics, "interval", seconds=settings.metrics_count_interval_seconds,
                      id="count_metrics", coalesce=True, max_instances=1, misfire_grace_time=None)
    # Nudges and digests: sweeps that find due work by index (tracker/nudges/jobs.py); the
    # schedule backfill runs at start and hourly, outside the per-minute sweep.
    for job, seconds in ((jobs.sweep_nudges, 60), (jobs.check_digests, 900)):
        scheduler.add_job(job, "interval", args=(session_factory,), seconds=seconds, id=job.__name__,
                          coalesce=True, max_instances=1, misfire_grace_time=None)
    scheduler.add_job(jobs.backfill_schedules, "interval", args=(session_factory,), hours=1,
                      id="backfill_schedules", coalesce=True, max_instances=1, misfire_grace_time=None,
                      # First run soon after start, once start-up work (migrations, demo) is done.
                      next_run_time=datetime.now(UTC) + timedelta(seconds=30))
    scheduler.start()
    return scheduler


def run_worker(settings: Settings, stop: threading.Event, *, with_scheduler: bool = True,
               worker_id: str | None = None) -> None:
    engine = make_engine(settings.database_url)
    session_factory = make_session_factory(engine)
    worker = build_worker(settings, session_factory, worker_id=worker_id)
    scheduler = start_scheduler(settings, session_factory) if with_scheduler else None
    try:
        worker.run_forever(stop)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        engine.dispose()
