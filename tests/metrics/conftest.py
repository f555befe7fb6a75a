"""The counting tests' shared worker set-up: settings pointing at the test module's `vendor`
emulator (each module decides which vendors it runs against), a manual clock, and the real
worker built from them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.metrics.counting_harness import Clock, Counted
from tracker.config import Settings
from tracker.worker.main import build_worker
from tracker.worker.runner import Worker


@pytest.fixture
def count_settings(database: Any, vendor: Counted) -> Settings:
    return Settings(database_url=database.url, base_url="http://tracker.test", outbox_backoff_scale=0.001,
                    connections={vendor.connection_name: vendor.connection_settings()})


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def worker(count_settings: Settings, session_factory: Any, clock: Clock) -> Worker:
    w = build_worker(count_settings, session_factory, worker_id="count-worker")
    w.ctx.clock = clock
    return w
