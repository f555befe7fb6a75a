"""GitHubTickets when things go wrong: lost creates, retries, rate limits, gone and revoked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from integrations.emulation import Fault, FaultPlan
from integrations.github.client import GitHubTickets
from integrations.github.emulator import BOT_TOKEN, GitHubEmulator
from integrations.github.emulator_ratelimit import RateLimits
from tests.integrations.github.conftest import REPO
from tests.integrations.github.test_client import ISSUE, ISSUES, fields, gt, tickets
from tracker.actions.models import Phase
from tracker.sync.ports import AccessRevoked, OutcomeUnknown, Rejected, TicketGone, Transient

__all__ = ["gt"]  # the fixture, shared with test_client


# -- lost writes and the marker ------------------------------------------------------------------
def test_timeout_after_create_is_outcome_unknown_and_marker_finds_it(emu: GitHubEmulator) -> None:
    started = datetime.now(UTC) - timedelta(seconds=1)
    strict = tickets(emu, timeout=1)
    emu.open_issue(REPO, "older, also ours", by="tracker-bot", labels=["tracker"],
                   body="<!-- tracker:marker=other -->")
    emu.faults = FaultPlan(queued=[Fault.TIMEOUT_AFTER_WRITE], methods=("POST",),
                           timeout_seconds=1.5)
    with pytest.raises(OutcomeUnknown):
        strict.create(fields(), marker="item-9-attempt-1")
    assert emu.call_count("POST", ISSUES) == 1  # not re-sent
    emu.reset_counters()
    found = strict.find_by_marker("item-9-attempt-1", created_after=started)
    assert found is not None and found.key == "2"
    assert emu.calls == {("GET", ISSUES): 1}
    assert strict.find_by_marker("item-9-attempt-2", created_after=started) is None
    later = datetime.now(UTC) + timedelta(seconds=5)
    assert strict.find_by_marker("item-9-attempt-1", created_after=later) is None


@pytest.mark.parametrize("fault", [Fault.DROP_AFTER_WRITE, Fault.SERVER_ERROR, Fault.DROP])
def test_lost_create_reply_is_never_resent(
    emu: GitHubEmulator, gt: GitHubTickets, fault: Fault
) -> None:
    emu.faults = FaultPlan(queued=[fault], methods=("POST",))
    with pytest.raises(OutcomeUnknown):
        gt.create(fields(), marker="m1")
    assert emu.requests.count(("POST", f"/api/v3/repos/{REPO}/issues")) == 1  # faults included
    made = 1 if fault is Fault.DROP_AFTER_WRITE else 0
    assert len(emu.issues(REPO)) == made
    found = gt.find_by_marker("m1", created_after=datetime(2020, 1, 1))
    assert (found is not None) == bool(made)


def test_reads_and_patches_are_retried(emu: GitHubEmulator, gt: GitHubTickets) -> None:
    gt.create(fields(), marker="m")
    emu.reset_counters()
    emu.faults = FaultPlan(queued=[Fault.SERVER_ERROR, Fault.DROP], methods=("GET", "PATCH"))
    assert gt.fetch("1").key == "1"
    assert emu.call_count("GET", ISSUE) == 1  # the injected faults never reach the handler
    assert [f for f, _, _ in emu.faults.injected] == [Fault.SERVER_ERROR, Fault.DROP]
    emu.faults = FaultPlan(queued=[Fault.DROP_AFTER_WRITE], methods=("PATCH",))
    assert gt.update("1", fields(title="again"), {"title"}).title == "again"
    assert emu.call_count("PATCH", ISSUE) == 2  # the write happened, was re-sent: same result


def test_server_errors_beyond_the_budget_are_transient(emu: GitHubEmulator, gt: GitHubTickets) -> None:
    gt.create(fields(), marker="m")
    emu.faults = FaultPlan(queued=[Fault.SERVER_ERROR] * 3, methods=("GET",))
    with pytest.raises(Transient) as raised:
        gt.fetch("1")
    assert not isinstance(raised.value, OutcomeUnknown)


# -- rate limits ---------------------------------------------------------------------------------
def test_secondary_limit_on_create_is_transient_with_retry_after(
    emu: GitHubEmulator, gt: GitHubTickets
) -> None:
    emu.faults = FaultPlan(queued=[Fault.RATE_LIMITED], methods=("POST",))
    with pytest.raises(Transient) as raised:
        gt.create(fields(), marker="m")
    assert not isinstance(raised.value, OutcomeUnknown)  # refused: nothing was created
    assert raised.value.retry_after == 60
    assert emu.issues(REPO) == []


def test_long_wait_on_a_read_is_not_slept_but_reported(emu: GitHubEmulator, gt: GitHubTickets) -> None:
    gt.create(fields(), marker="m")
    emu.faults = FaultPlan(queued=[Fault.RATE_LIMITED], methods=("GET",))
    with pytest.raises(Transient) as raised:
        gt.fetch("1")  # Retry-After 60 > max_rate_limit_wait 5
    assert raised.value.retry_after == 60


def test_short_secondary_wait_on_a_read_is_slept_by_githubretry() -> None:
    with GitHubEmulator(limits=RateLimits(time_scale=60)) as emu:  # Retry-After: 1
        gt = tickets(emu)
        gt.create(fields(assignee=None), marker="m")
        emu.faults = FaultPlan(queued=[Fault.RATE_LIMITED], methods=("PATCH",))
        assert gt.update("1", fields(title="later"), {"title"}).title == "later"
        assert emu.call_count("PATCH", ISSUE) == 1


def test_primary_limit_waits_for_the_reset() -> None:
    with GitHubEmulator(limits=RateLimits(primary_per_hour=2)) as emu:
        gt = tickets(emu)
        gt.create(fields(assignee=None), marker="m")
        gt.fetch("1")
        with pytest.raises(Transient) as raised:
            gt.fetch("1")
        assert raised.value.retry_after is not None and 3000 < raised.value.retry_after <= 3602
        assert emu.violations == {"primary": 1}


# -- gone, forbidden, revoked ---------------------------------------------------------------------
def test_revoked_token_is_access_revoked(emu: GitHubEmulator, gt: GitHubTickets) -> None:
    gt.create(fields(), marker="m")
    emu.revoke_token(BOT_TOKEN)
    with pytest.raises(AccessRevoked):
        gt.fetch("1")
    with pytest.raises(AccessRevoked):
        gt.create(fields(), marker="m2")
    with pytest.raises(AccessRevoked):
        gt.changed_since(None)


def test_deleted_transferred_forbidden_and_pull_requests_are_gone(
    emu: GitHubEmulator, gt: GitHubTickets
) -> None:
    for marker in ("a", "b", "c"):
        gt.create(fields(), marker=marker)
    pull = emu.open_issue(REPO, "a PR", by="alice", labels=["tracker"], pull_request=True)
    emu.delete_issue(REPO, 1)
    with pytest.raises(TicketGone, match="deleted"):
        gt.fetch("1")
    moved = emu.transfer_issue(REPO, 2, "acme/other")
    with pytest.raises(TicketGone, match=f"transferred to acme/other#{moved}"):
        gt.fetch("2")
    with pytest.raises(TicketGone, match="transferred"):
        gt.update("2", fields(phase=Phase.done), {"phase"})  # read first: nothing changed there
    assert emu.issue("acme/other", moved).state == "open"
    with pytest.raises(TicketGone, match="pull request"):
        gt.fetch(str(pull))
    emu.forbid_repo(REPO, "tracker-bot")
    with pytest.raises(TicketGone, match="not found or no access"):
        gt.fetch("3")
    with pytest.raises(Rejected) as raised:
        gt.create(fields(), marker="d")
    assert raised.value.field == "project"
