"""Two `tracker worker` processes on PostgreSQL share one outbox and deliver no item twice.

Claims use FOR UPDATE SKIP LOCKED, which only PostgreSQL has (SQLite is meant for one worker),
so this test exists only when TRACKER_TEST_DATABASE_URL is set: without it there is no such
test rather than a skipped one. Each worker has its own credentials, so the emulators' logs
show who sent each create.
"""

from __future__ import annotations

import base64
import os
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from integrations.github import emulator as gh
from integrations.github.emulator_ratelimit import RateLimits
from integrations.jira import emulator as jira
from tests.conftest import Database
from tests.sync.fleet import (
    CreateLog,
    WorkerProcess,
    count_outbox,
    github_emulator,
    seed_and_promote,
    tickets_by_marker,
    wait_until,
    worker_env,
)
from tracker.db import make_session_factory
from tracker.outbox.models import OutboxMessage, OutboxState
from tracker.sync.models import LinkState, TicketLink

PER_VENDOR = 100
SECOND = {"jira_user": "tracker-bot-b@example.com", "jira_token": "bot-token-b", "github_token": "ghp_trackerbot_b"}


def _two_workers_deliver_each_item_once(tmp_path: Path) -> None:
    started = time.monotonic()
    db = Database("postgresql", tmp_path)
    jira_emu = jira.JiraEmulator().start()
    jira_emu.add_account(SECOND["jira_user"], "Tracker Bot B", SECOND["jira_token"], account_id="712020:tracker-bot-b",
                         bot=True)
    # Generous limits: two tokens, and this test is about claiming, not about GitHub's limits.
    github_emu = github_emulator(limits=RateLimits(content_per_minute=100_000, content_per_hour=100_000,
                                                   points_per_minute=1_000_000))
    github_emu.add_token(SECOND["github_token"], gh.BOT_LOGIN)
    creates = CreateLog()
    creates.watch("jira", jira_emu)
    creates.watch("github", github_emu)
    workers: list[WorkerProcess] = []
    try:
        common = {"outbox_lease_seconds": "60", "connection_max_retry_delay": "0.05"}
        envs = [worker_env(db.url, jira_emulator=jira_emu, github_emulator=github_emu, **common),
                worker_env(db.url, jira_emulator=jira_emu, github_emulator=github_emu, **SECOND, **common)]
        workers = [WorkerProcess(env, tmp_path / f"worker-{name}.log", f"w-{name}").start()
                   for name, env in zip("ab", envs, strict=True)]
        # Both must be polling before anything is queued, so they really compete for the work.
        wait_until(lambda: all(w.started() for w in workers), timeout=60, what="both workers to start")
        factory = make_session_factory(db.engine)
        ids = seed_and_promote(factory, per_target=PER_VENDOR)
        wait_until(lambda: count_outbox(factory, OutboxState.pending) == 0, timeout=90, what="an empty outbox")
        assert [w.stop() for w in workers] == [0, 0]

        with factory() as session:
            links = list(session.scalars(select(TicketLink)))
            messages = list(session.scalars(select(OutboxMessage)))
        total = 2 * PER_VENDOR
        assert len(links) == total and all(link.state is LinkState.linked for link in links)
        # One ticket per item, and each item's create POST was sent exactly once.
        markers = tickets_by_marker(jira_emu, github_emu)
        assert sorted(markers) == sorted(link.marker for link in links)
        assert all(len(found) == 1 for found in markers.values())
        per_marker = Counter(call.marker for call in creates.calls)
        assert len(creates.calls) == total and set(per_marker.values()) == {1}, per_marker.most_common(3)
        assert all(call.status == 201 for call in creates.calls)
        for link in links:
            [(kind, key)] = markers[link.marker]
            assert link.remote_key == key and link.action_item_id in ids[kind]
        # No message was claimed twice, and nothing was given up.
        assert {m.state for m in messages} == {OutboxState.done} and {m.attempts for m in messages} == {1}
        # Both workers did part of the work (told apart by their credentials).
        second = {f"token {SECOND['github_token']}",
                  "Basic " + base64.b64encode(f"{SECOND['jira_user']}:{SECOND['jira_token']}".encode()).decode()}
        by_worker = Counter("w-b" if call.credential in second else "w-a" for call in creates.calls)
        assert min(by_worker["w-a"], by_worker["w-b"]) >= total // 10, by_worker
        for worker in workers:
            assert "failed unexpectedly" not in worker.log() and "Traceback" not in worker.log()
        print(f"\ntwo workers: {total} items, creates per worker {sorted(by_worker.values())}, "
              f"{time.monotonic() - started:.1f} s")
    finally:
        for worker in workers:
            if worker.alive():
                worker.kill()
        jira_emu.stop()
        github_emu.stop()
        db.dispose()


# Collected only with PostgreSQL (see the module docstring).
if os.environ.get("TRACKER_TEST_DATABASE_URL"):

    def test_two_workers_on_postgresql_deliver_each_item_once(tmp_path: Path) -> None:
        _two_workers_deliver_each_item_once(tmp_path)
