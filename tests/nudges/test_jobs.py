"""The worker's periodic jobs: a sweep run drains every due row in batches; the digest check and
the schedule backfill run in their own transactions; the scheduler holds three interval jobs."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Database
from tests.factories.nudges import at, bulk_items, crew, item
from tracker.config import Settings
from tracker.db import make_session_factory
from tracker.digests.models import DigestDelivery
from tracker.nudges import jobs
from tracker.nudges.models import Nudge, NudgeSchedule
from tracker.worker.main import start_scheduler

MON = date(2026, 11, 23)
NOW = at(MON, 10)


def test_a_sweep_run_drains_every_due_row_in_batches(session: Session, session_factory: sessionmaker[Session],
                                                     monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(jobs, "SWEEP_BATCH", 7)
    owner, _, team = crew(session)
    bulk_items(session, owner=owner, team=team, count=300, due=30, now=NOW,
               overdue_deadline=MON - timedelta(days=1), future_deadline=MON + timedelta(days=50))
    session.commit()
    assert jobs.sweep_nudges(session_factory, clock=lambda: NOW) == 30
    assert session.scalar(select(func.count()).select_from(Nudge)) == 30
    assert jobs.sweep_nudges(session_factory, clock=lambda: NOW) == 0


def test_backfill_and_digest_jobs(session: Session, session_factory: sessionmaker[Session]) -> None:
    owner, _, team = crew(session, team_tz="Europe/Berlin")
    missing = item(session, owner=owner, team=team, deadline=MON, next_at=None)
    session.commit()
    assert jobs.backfill_schedules(session_factory, clock=lambda: NOW) == 1
    session.expire_all()
    assert session.get(NudgeSchedule, missing.id).next_at == NOW  # type: ignore[union-attr]
    assert jobs.check_digests(session_factory, clock=lambda: at(MON, 9, "Europe/Berlin", 30)) == 1
    assert jobs.check_digests(session_factory, clock=lambda: at(MON, 9, "Europe/Berlin", 45)) == 0
    assert session.scalars(select(DigestDelivery.week)).all() == ["2026-W47"]


def test_the_scheduler_triggers_sweeps_not_jobs_per_item(database: Database) -> None:
    # Its own sessions on the (empty, committed) test database: the start-up backfill runs at once.
    scheduler = start_scheduler(Settings(database_url=database.url), make_session_factory(database.engine))
    try:
        jobs_by_id = {job.id: job for job in scheduler.get_jobs()}
        assert {"sweep_nudges", "check_digests", "backfill_schedules", "reconcile"} <= set(jobs_by_id)
        assert jobs_by_id["sweep_nudges"].trigger.interval == timedelta(minutes=1)
        assert jobs_by_id["check_digests"].trigger.interval == timedelta(minutes=15)
    finally:
        scheduler.shutdown(wait=False)
