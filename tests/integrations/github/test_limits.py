"""Conditional requests and rate limits, as the real client (and its GithubRetry) sees them."""

from __future__ import annotations

import time

import pytest
from github import GithubException, RateLimitExceededException

from integrations.emulation import Fault
from integrations.github.emulator import GitHubEmulator
from integrations.github.emulator_ratelimit import RateLimits
from tests.integrations.github.conftest import REPO


def test_every_get_carries_validators_and_rate_headers(emu: GitHubEmulator) -> None:
    emu.open_issue(REPO, "x", by="alice")
    issue = emu.client().get_repo(REPO).get_issue(1)
    assert issue.etag and issue.etag.startswith('W/"')
    assert issue.last_modified and issue.last_modified.endswith("GMT")
    assert issue.raw_headers["x-ratelimit-limit"] == "5000"
    assert issue.raw_headers["x-ratelimit-resource"] == "core"
    assert int(issue.raw_headers["x-ratelimit-used"]) == 2  # get_repo + get_issue


def test_304_does_not_count_against_the_limit(emu: GitHubEmulator) -> None:
    emu.open_issue(REPO, "x", by="alice")
    gh = emu.client()
    issue = gh.get_repo(REPO).get_issue(1)
    remaining = gh.rate_limiting[0]
    assert issue.update() is False  # If-None-Match matched: 304
    assert issue.update() is False
    assert gh.rate_limiting[0] == remaining
    assert emu.not_modified == 2

    emu.edit_issue(REPO, 1, by="alice", title="changed")
    assert issue.update() is True
    assert issue.title == "changed"
    assert gh.rate_limiting[0] == remaining - 1


def test_if_modified_since_alone_gives_304(emu: GitHubEmulator) -> None:
    emu.open_issue(REPO, "x", by="alice")
    issue = emu.client().get_repo(REPO).get_issue(1)
    requester = emu.client()._Github__requester  # type: ignore[attr-defined]
    status, _, _ = requester.requestJson(
        "GET", f"/repos/{REPO}/issues/1", headers={"If-Modified-Since": issue.last_modified}
    )
    assert status == 304


def test_secondary_limit_refuses_then_client_backs_off_and_recovers() -> None:
    limits = RateLimits(content_per_minute=3, time_scale=60)  # a "minute" is one second
    with GitHubEmulator(limits=limits) as emu:
        repo = emu.client().get_repo(REPO)
        started = time.monotonic()
        for n in range(4):  # the 4th create hits the limit, GithubRetry sleeps Retry-After
            repo.create_issue(f"issue {n}")
        assert time.monotonic() - started >= 0.9
        assert emu.violations == {"secondary_content": 1}
        assert len(emu.issues(REPO)) == 4  # the refused request created nothing


def test_secondary_limit_error_shape_without_retry() -> None:
    limits = RateLimits(content_per_minute=1, time_scale=60)
    with GitHubEmulator(limits=limits) as emu:
        repo = emu.client(retry=None).get_repo(REPO)
        repo.create_issue("one")
        with pytest.raises(RateLimitExceededException) as raised:
            repo.create_issue("two")
        assert raised.value.status == 403
        assert raised.value.headers is not None
        assert raised.value.headers["retry-after"] == "1"
        assert "secondary rate limit" in raised.value.data["message"]
        assert emu.violation_count == 1


def test_points_limit_counts_writes_five_times() -> None:
    limits = RateLimits(points_per_minute=12, time_scale=60)
    with GitHubEmulator(limits=limits) as emu:
        gh = emu.client(retry=None)
        repo = gh.get_repo(REPO)  # 1 point
        repo.create_issue("a")  # 6
        repo.create_issue("b")  # 11
        repo.get_issue(1)  # 12
        with pytest.raises(RateLimitExceededException):
            repo.get_issue(2)
        assert emu.violations == {"secondary_points": 1}


def test_primary_limit_uses_reset_header_and_client_waits_for_it() -> None:
    limits = RateLimits(primary_per_hour=3, time_scale=3600)  # an "hour" is one second
    with GitHubEmulator(limits=limits) as emu:
        strict = emu.client(retry=None)
        repo = strict.get_repo(REPO)
        repo.create_issue("a")
        repo.get_issue(1)
        with pytest.raises(RateLimitExceededException) as raised:
            repo.get_issue(1)
        assert raised.value.data["message"].startswith("API rate limit exceeded")
        assert raised.value.headers["x-ratelimit-remaining"] == "0"
        assert emu.violations == {"primary": 1}
        patient = emu.client()  # GithubRetry sleeps until X-RateLimit-Reset, then succeeds
        assert patient.get_repo(REPO).get_issue(1).title == "a"


def test_injected_rate_limit_fault_looks_like_github(emu: GitHubEmulator) -> None:
    emu.limits.time_scale = 60  # the fault's Retry-After is GitHub's 60 s, scaled
    gh = emu.client(retry=None)
    repo = gh.get_repo(REPO)
    emu.faults.queued.append(Fault.RATE_LIMITED)
    with pytest.raises(GithubException) as raised:
        repo.create_issue("x")
    assert raised.value.status == 403
    assert raised.value.headers["retry-after"] == "1"
    emu.faults.queued.append(Fault.RATE_LIMITED)
    assert emu.client().get_repo(REPO).create_issue("y").title == "y"  # retried after 1 s


def test_rate_limit_endpoint_is_free(emu: GitHubEmulator, gh) -> None:
    gh.get_repo(REPO)
    first = gh.get_rate_limit().resources.core
    second = gh.get_rate_limit().resources.core
    assert first.used == second.used == 1
    assert first.remaining == 4999
