"""The periodic jobs the worker's scheduler triggers (tracker/worker/main.py).

Each batch is its own transaction, so a long catch-up holds no lock for long and a crash loses
at most the batch in flight (which the next run decides again: nothing was recorded).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from tracker.db import transaction
from tracker.digests.service import due_digests
from tracker.nudges.schedule import backfill
from tracker.nudges.sweep import sweep_batch
from tracker.types import utcnow

log = logging.getLogger(__name__)

SWEEP_BATCH = 500
MAX_BATCHES = 20  # per run: 10,000 due rows a minute; the rest wait for the next run


def sweep_nudges(factory: sessionmaker[Session], *, clock: Callable[[], datetime] = utcnow) -> int:
    recorded = 0
    for _ in range(MAX_BATCHES):
        with transaction(factory) as session:
            seen, added = sweep_batch(session, now=clock(), limit=SWEEP_BATCH)
        recorded += added
        if seen < SWEEP_BATCH:
            break
    if recorded:
        log.info("nudge sweep recorded %d nudges", recorded)
    return recorded


def backfill_schedules(factory: sessionmaker[Session], *, clock: Callable[[], datetime] = utcnow) -> int:
    with transaction(factory) as session:
        added = backfill(session, now=clock())
    if added:
        log.info("nudge schedule: %d items had no schedule row; added, due now", added)
    return added


def check_digests(factory: sessionmaker[Session], *, clock: Callable[[], datetime] = utcnow) -> int:
    with transaction(factory) as session:
        queued = due_digests(session, clock())
    if queued:
        log.info("queued %d weekly digests", queued)
    return queued
