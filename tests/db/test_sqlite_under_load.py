"""SQLite, the `make run` default, under many clients at once with the worker running.

A real uvicorn server on loopback and 32 client threads making versioned writes and reads for a
few seconds, while an in-process worker claims and settles outbox messages that another thread
keeps writing. No request may answer 5xx, every error must have our JSON shape, and no message
may be left leased when the load stops.
"""

from __future__ import annotations

import random
import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, select

from bench.common import serve
from tests import factories
from tests.conftest import Database
from tests.factories.actions import action_item
from tracker.activity.models import ActivityEntry
from tracker.app import create_app
from tracker.config import Settings
from tracker.db import make_session_factory, transaction
from tracker.outbox.models import OutboxMessage, OutboxState
from tracker.outbox.service import enqueue
from tracker.people.models import Role
from tracker.worker.runner import Worker, WorkerContext

CLIENTS = 32
SECONDS = 4.0
TOUCH = "test.touch"


def _touch(ctx: WorkerContext, message: OutboxMessage) -> None:
    # A handler that writes, as the real ones do when they record an outcome.
    with transaction(ctx.session_factory) as session:
        session.add(ActivityEntry(actor_label="worker", entity_type="outbox", entity_id=message.id,
                                  action="touched", changes={}))


def test_sqlite_serves_32_clients_and_the_worker_without_5xx(tmp_path: Path) -> None:
    db = Database("sqlite", tmp_path)
    factory = make_session_factory(db.engine)
    with transaction(factory) as session:
        lead, headers = factories.user(session, Role.lead)
        item_ids = [action_item(session, lead=lead).id for _ in range(8)]
    settings = Settings(database_url=db.url, base_url="http://tracker.test")
    stop = threading.Event()
    worker = Worker(WorkerContext(session_factory=make_session_factory(db.engine)), {TOUCH: _touch},
                    worker_id="load-test", lease=timedelta(seconds=30), backoff_scale=0.01)
    failures: list[str] = []
    statuses: list[int] = []

    def produce() -> None:
        while not stop.is_set():
            with transaction(factory) as session:
                enqueue(session, kind=TOUCH, payload={})
            time.sleep(0.01)

    def client(seed: int, base: str) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
            deadline = time.monotonic() + SECONDS
            while time.monotonic() < deadline:
                item_id = rng.choice(item_ids)
                if rng.random() < 0.5:
                    response = http.get(f"/action-items/{item_id}")
                else:
                    current = http.get(f"/action-items/{item_id}")
                    statuses.append(current.status_code)
                    if current.status_code != 200:
                        failures.append(f"GET {current.status_code}: {current.text[:200]}")
                        continue
                    response = http.patch(f"/action-items/{item_id}", json={"title": f"Title {rng.random()}"},
                                          headers={"If-Match": current.headers["ETag"]})
                statuses.append(response.status_code)
                if response.status_code >= 500:
                    failures.append(f"{response.request.method} {response.status_code}: {response.text[:200]}")
                elif response.status_code >= 400 and "error" not in response.json():
                    failures.append(f"{response.status_code} without our error shape: {response.text[:200]}")

    threads = [threading.Thread(target=produce), threading.Thread(target=worker.run_forever, args=(stop, 0.05))]
    with serve(create_app(settings)) as base:
        for t in threads:
            t.start()
        clients = [threading.Thread(target=client, args=(i, base)) for i in range(CLIENTS)]
        for t in clients:
            t.start()
        for t in clients:
            t.join()
        stop.set()
        for t in threads:
            t.join()
    worker.run_until_idle()

    assert not failures, f"{len(failures)} of {len(statuses)} requests failed, e.g. {failures[:3]}"
    assert statuses.count(200) > CLIENTS * 5  # the load really ran
    with transaction(factory) as session:
        left = session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.state == OutboxState.pending))
        assert left == 0, f"{left} outbox messages still pending after the load"
    db.dispose()
