"""The knobs the soak and the benchmark turn: worker backoff scale, client retry sleeps, GitHub pacing.

Each comes from the environment like every other setting, so a `tracker worker` subprocess can
be made fast (tests) or paced to GitHub's secondary limit (bench/sync.py) without code.
"""

from __future__ import annotations

import random
import time
from datetime import timedelta

import pytest
from sqlalchemy.orm import sessionmaker

from integrations.emulation import Fault, FaultPlan
from integrations.github import emulator as gh
from integrations.jira import emulator as jira
from tracker.config import Settings
from tracker.outbox.service import backoff
from tracker.sync.connections import connection_named
from tracker.sync.ports import TargetSpec, Transient
from tracker.wiring import ticket_system_factory
from tracker.worker.main import build_worker

ENV = {
    "TRACKER_OUTBOX_BACKOFF_SCALE": "0.02",
    "TRACKER_CONNECTIONS__FAST_GH__KIND": "github",
    "TRACKER_CONNECTIONS__FAST_GH__URL": "http://127.0.0.1:1/api/v3",
    "TRACKER_CONNECTIONS__FAST_GH__TOKEN": gh.BOT_TOKEN,
    "TRACKER_CONNECTIONS__FAST_GH__SECONDS_BETWEEN_WRITES": "0.0125",
    "TRACKER_CONNECTIONS__FAST_GH__SECONDS_BETWEEN_REQUESTS": "0",
    "TRACKER_CONNECTIONS__FAST_GH__MAX_RETRY_DELAY": "0.05",
}


def test_backoff_scale_shrinks_our_wait_but_never_the_vendors_retry_after() -> None:
    rng = random.Random(3)
    assert all(backoff(n, None, rng) >= 2 ** n / 2 for n in range(1, 6))
    scaled = [backoff(n, None, rng, scale=0.02) for n in range(1, 6)]
    assert all(0.02 * 2 ** n / 2 <= wait <= 0.02 * 2 ** n for n, wait in zip(range(1, 6), scaled, strict=True))
    assert backoff(2, 1.0, rng, scale=0.02) == 1.0  # Retry-After is honoured in full


def test_settings_reach_the_worker_and_the_github_adapter(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    settings = Settings(database_url="sqlite://")
    worker = build_worker(settings, sessionmaker(), worker_id="w")
    assert worker.backoff_scale == 0.02
    connection = connection_named(settings, "fast_gh")
    assert (connection.seconds_between_writes, connection.max_retry_delay) == (0.0125, 0.05)
    adapter = ticket_system_factory(TargetSpec(kind="github", project=gh.DEFAULT_REPO), connection)
    options = adapter._github.requester.kwargs  # type: ignore[attr-defined]
    # The configured write pace is kept by our start-to-start pacer, so PyGithub's own is off.
    assert adapter._pacer.interval == 0.0125  # type: ignore[attr-defined]
    assert options["seconds_between_writes"] == 0 and options["seconds_between_requests"] == 0
    assert options["retry"].max_rate_limit_wait == 0.05 and options["retry"].backoff_factor == 0.0125


def test_defaults_keep_pygithub_pacing_and_production_retries() -> None:
    connection = connection_named(
        Settings(connections={"gh": {"kind": "github", "url": "http://127.0.0.1:1/api/v3", "token": "t"}}), "gh")
    adapter = ticket_system_factory(TargetSpec(kind="github", project=gh.DEFAULT_REPO), connection)
    options = adapter._github.requester.kwargs  # type: ignore[attr-defined]
    assert (options["seconds_between_writes"], options["seconds_between_requests"]) == (1.0, 0.25)
    assert options["retry"].max_rate_limit_wait == 30.0


def test_github_retry_after_beyond_the_cap_goes_back_to_the_worker() -> None:
    with gh.GitHubEmulator(time_scale=60) as emu:
        settings = Settings(connections={"gh": {"kind": "github", "url": emu.api_url, "token": gh.BOT_TOKEN,
                                                "seconds_between_requests": 0, "max_retry_delay": 0.05}})
        adapter = ticket_system_factory(TargetSpec(kind="github", project=gh.DEFAULT_REPO),
                                        connection_named(settings, "gh"))
        number = emu.open_issue(gh.DEFAULT_REPO, "A ticket", "octocat")
        emu.faults = FaultPlan(queued=[Fault.RATE_LIMITED], methods=("GET",))
        started = time.monotonic()
        with pytest.raises(Transient) as raised:
            adapter.fetch(str(number))
        assert raised.value.retry_after == 1.0 and time.monotonic() - started < 0.5
        assert adapter.fetch(str(number)).title == "A ticket"


def test_jira_dropped_read_is_retried_after_a_short_sleep() -> None:
    with jira.JiraEmulator() as emu:
        key = emu.human(jira.ALICE_EMAIL).create("CX", "A ticket")
        settings = Settings(connections={"j": {"kind": "jira", "url": emu.url, "user": jira.BOT_EMAIL,
                                               "token": jira.BOT_TOKEN, "max_retry_delay": 0.05}})
        adapter = ticket_system_factory(TargetSpec(kind="jira", project="CX"), connection_named(settings, "j"))
        adapter.fetch(key)  # connect (serverInfo) before the fault
        emu.faults = FaultPlan(queued=[Fault.DROP], methods=("GET",))
        started = time.monotonic()
        assert adapter.fetch(key).title == "A ticket"  # the library default would sleep 10-20 s
        assert time.monotonic() - started < timedelta(seconds=1).total_seconds()
        assert emu.faults.injected
