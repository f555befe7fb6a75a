"""GitHubTickets through real PyGithub against the emulator: fields, call counts, lost writes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from integrations.emulation import Fault, FaultPlan
from integrations.github.client import GitHubTickets
from integrations.github.emulator import BOT_TOKEN, GitHubEmulator, ManualClock
from integrations.github.emulator_ratelimit import RateLimits
from integrations.github.errors import default_retry
from tests.integrations.github.conftest import REPO
from tracker.actions.models import Phase, Priority
from tracker.sync.ports import (
    AccessRevoked,
    Connection,
    OutcomeUnknown,
    Rejected,
    TargetSpec,
    TicketFields,
    TicketGone,
    Transient,
)

ISSUES = "/repos/{owner}/{repo}/issues"
ISSUE = "/repos/{owner}/{repo}/issues/{number}"
MILESTONES = "/repos/{owner}/{repo}/milestones"
# Tiny waits: a retried GET/PATCH costs no sleep, a rate-limit wait over 5 s is not slept.
FAST_RETRY = default_retry(total=2, backoff_factor=0, max_rate_limit_wait=5)


def tickets(
    emu: GitHubEmulator, *, timeout: int = 5, token: str = BOT_TOKEN, project: str = REPO,
    mapping: dict[str, object] | None = None,
) -> GitHubTickets:
    connection = Connection("github", emu.api_url, token=token, bot_identity="tracker-bot")
    return GitHubTickets(
        TargetSpec("github", project, mapping=mapping or {}), connection, timeout=timeout,
        seconds_between_requests=0, seconds_between_writes=0, retry=FAST_RETRY,
    )


def fields(**changes: object) -> TicketFields:
    base: dict[str, object] = dict(title="Call back within a day", body="Why: churn.",
                                   phase=Phase.implementing, assignee="alice", due=None,
                                   priority=Priority.high)
    return TicketFields(**(base | changes))  # type: ignore[arg-type]


@pytest.fixture
def gt(emu: GitHubEmulator) -> Iterator[GitHubTickets]:
    yield tickets(emu)


def labels(emu: GitHubEmulator, number: int) -> list[str]:
    return [label.name for label in emu.issue(REPO, number).labels]


# -- create ------------------------------------------------------------------------------------
def test_create_is_one_post_and_maps_every_field(emu: GitHubEmulator, gt: GitHubTickets) -> None:
    ticket = gt.create(fields(), marker="item-7-attempt-1")
    assert emu.calls == {("POST", ISSUES): 1}
    issue = emu.issue(REPO, int(ticket.key))
    assert issue.title == "Call back within a day"
    assert issue.body == "Why: churn.\n\n<!-- tracker:marker=item-7-attempt-1 -->"
    assert labels(emu, 1) == ["tracker", "phase: implementing", "priority: high"]
    assert [u.login for u in issue.assignees] == ["alice"]
    assert ticket.synced() == {"title": "Call back within a day", "phase": "implementing",
                               "assignee": "alice", "due": None, "priority": "high"}
    assert ticket.status == "open"
    assert ticket.url.endswith(f"/{REPO}/issues/1")


@pytest.mark.parametrize(("phase", "reason"), [(Phase.done, "completed"),
                                               (Phase.cancelled, "not_planned")])
def test_create_closed_is_post_plus_patch(
    emu: GitHubEmulator, gt: GitHubTickets, phase: Phase, reason: str
) -> None:
    ticket = gt.create(fields(phase=phase), marker="m")
    assert emu.calls == {("POST", ISSUES): 1, ("PATCH", ISSUE): 1}
    assert (emu.issue(REPO, 1).state, emu.issue(REPO, 1).state_reason) == ("closed", reason)
    assert labels(emu, 1) == ["tracker", "priority: high"]
    assert (ticket.phase, ticket.status) == (phase, f"closed:{reason}")


def test_milestone_is_made_once_per_date_and_reused(emu: GitHubEmulator, gt: GitHubTickets) -> None:
    gt.create(fields(due=date(2025, 3, 1)), marker="a")
    assert emu.calls == {("GET", MILESTONES): 1, ("POST", MILESTONES): 1, ("POST", ISSUES): 1}
    emu.reset_counters()
    second = gt.create(fields(due=date(2025, 3, 1)), marker="b")
    assert emu.calls == {("POST", ISSUES): 1}  # same date: exactly one call
    assert second.due == date(2025, 3, 1)
    milestone = emu.issue(REPO, 2).milestone
    assert milestone is not None and milestone.title == "Due 2025-03-01"
    assert milestone.due_on is not None and milestone.due_on.date() == date(2025, 3, 1)
    assert milestone is emu.issue(REPO, 1).milestone

    emu.reset_counters()
    tickets(emu).create(fields(due=date(2025, 3, 1)), marker="c")  # a new adapter: one list
    assert emu.calls == {("GET", MILESTONES): 1, ("POST", ISSUES): 1}


def test_milestone_made_meanwhile_by_someone_else_is_found(
    emu: GitHubEmulator, gt: GitHubTickets
) -> None:
    gt.create(fields(due=date(2025, 3, 1)), marker="a")  # loads the (stale) cache
    number = emu.add_milestone(REPO, "Due 2025-04-01", datetime(2025, 4, 1, tzinfo=UTC))
    ticket = gt.create(fields(due=date(2025, 4, 1)), marker="b")  # 422 already_exists -> list
    assert ticket.due == date(2025, 4, 1)
    assert emu.issue(REPO, 2).milestone is emu.milestone(REPO, number)


# -- fetch and people's changes ----------------------------------------------------------------
def test_fetch_is_one_get_and_reads_peoples_changes(emu: GitHubEmulator, gt: GitHubTickets) -> None:
    gt.create(fields(), marker="m")
    emu.reset_counters()
    assert gt.fetch("1").phase is Phase.implementing
    assert emu.calls == {("GET", ISSUE): 1}

    emu.remove_label(REPO, 1, "bob", "phase: implementing")
    emu.add_label(REPO, 1, "bob", "phase: blocked", "priority: low")
    emu.remove_label(REPO, 1, "bob", "priority: high")
    emu.unassign(REPO, 1, "bob", "alice")
    emu.assign(REPO, 1, "bob", "bob")
    emu.edit_issue(REPO, 1, by="bob", title="Call back within two days")
    ticket = gt.fetch("1")
    assert ticket.synced() == {"title": "Call back within two days", "phase": "blocked",
                               "assignee": "bob", "due": None, "priority": "low"}

    emu.close_issue(REPO, 1, by="bob", reason="not_planned")
    assert (gt.fetch("1").phase, gt.fetch("1").status) == (Phase.cancelled, "closed:not_planned")
    emu.close_issue(REPO, 1, by="bob")
    emu.reopen_issue(REPO, 1, by="bob")
    emu.remove_label(REPO, 1, "bob", "phase: blocked")
    reopened = gt.fetch("1")
    assert (reopened.phase, reopened.status) == (None, "open")  # no phase label: no opinion


def test_ambiguous_or_foreign_labels_give_no_opinion(emu: GitHubEmulator, gt: GitHubTickets) -> None:
    number = emu.open_issue(REPO, "t", by="alice",
                            labels=["tracker", "phase: training", "phase: blocked", "priority: x"])
    ticket = gt.fetch(str(number))
    assert (ticket.phase, ticket.priority, ticket.assignee) == (None, None, None)


# -- update --------------------------------------------------------------------------------------
def test_update_sends_one_patch_with_only_the_changed_fields(
    emu: GitHubEmulator, gt: GitHubTickets
) -> None:
    gt.create(fields(), marker="m")
    emu.reset_counters()
    ticket = gt.update("1", fields(title="New title", assignee="bob"), {"title", "assignee"})
    assert emu.calls == {("PATCH", ISSUE): 1}
    assert (ticket.title, ticket.assignee) == ("New title", "bob")

    emu.reset_counters()
    assert gt.update("1", fields(assignee=None), {"assignee"}).assignee is None
    assert emu.calls == {("PATCH", ISSUE): 1}

    ticket = gt.update("1", fields(due=date(2025, 5, 2)), {"due"})
    assert ticket.due == date(2025, 5, 2)
    emu.reset_counters()
    assert gt.update("1", fields(due=None), {"due"}).due is None
    assert emu.calls == {("PATCH", ISSUE): 1}


def test_phase_and_priority_keep_peoples_labels(emu: GitHubEmulator, gt: GitHubTickets) -> None:
    gt.create(fields(), marker="m")
    emu.add_label(REPO, 1, "bob", "customer-facing")
    emu.reset_counters()
    ticket = gt.update("1", fields(phase=Phase.training, priority=Priority.low),
                       {"phase", "priority"})
    assert emu.calls == {("GET", ISSUE): 1, ("PATCH", ISSUE): 1}
    assert labels(emu, 1) == ["customer-facing", "tracker", "phase: training", "priority: low"]
    assert (ticket.phase, ticket.priority) == (Phase.training, Priority.low)

    gt.update("1", fields(phase=Phase.training, priority=Priority.urgent), {"priority"})
    assert labels(emu, 1) == ["customer-facing", "tracker", "phase: training", "priority: urgent"]


def test_close_and_reopen_round_trip(emu: GitHubEmulator, gt: GitHubTickets) -> None:
    gt.create(fields(), marker="m")
    done = gt.update("1", fields(phase=Phase.done), {"phase"})
    assert (done.phase, done.status) == (Phase.done, "closed:completed")
    assert labels(emu, 1) == ["tracker", "priority: high"]
    cancelled = gt.update("1", fields(phase=Phase.cancelled), {"phase"})
    assert (cancelled.phase, cancelled.status) == (Phase.cancelled, "closed:not_planned")
    back = gt.update("1", fields(phase=Phase.closing_loop), {"phase"})
    assert (back.phase, back.status) == (Phase.closing_loop, "open")
    assert labels(emu, 1) == ["tracker", "phase: closing_loop", "priority: high"]
    assert emu.issue(REPO, 1).state_reason == "reopened"


def test_update_refusals(emu: GitHubEmulator, gt: GitHubTickets) -> None:
    gt.create(fields(), marker="m")
    with pytest.raises(Rejected) as raised:
        gt.update("1", fields(assignee="nobody-here"), {"assignee"})
    assert raised.value.field == "assignee"
    with pytest.raises(ValueError):
        gt.update("1", fields(), {"body"})
    with pytest.raises(Rejected):
        gt.fetch("CX-1")


def test_mapping_overrides_apply(emu: GitHubEmulator) -> None:
    custom = tickets(emu, mapping={"phase_labels": {"blocked": "status: blocked"},
                                   "priority_labels": {"urgent": "P0"},
                                   "tracker_label": "cx-sync", "milestone_title": "CX {date}"})
    ticket = custom.create(fields(phase=Phase.blocked, priority=Priority.urgent,
                                  due=date(2025, 6, 1)), marker="m")
    assert labels(emu, 1) == ["cx-sync", "status: blocked", "P0"]
    assert emu.issue(REPO, 1).milestone.title == "CX 2025-06-01"  # type: ignore[union-attr]
    assert (ticket.phase, ticket.priority) == (Phase.blocked, Priority.urgent)
    assert custom.find_by_marker("m", created_after=datetime(2020, 1, 1)) == ticket
    with pytest.raises(ValueError):
        tickets(emu, mapping={"phase_label": {}})


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


# -- changed_since ---------------------------------------------------------------------------------
def test_changed_since_costs_one_call_per_hundred_and_a_304_when_idle() -> None:
    clock = ManualClock(datetime(2025, 1, 6, 9, 0, tzinfo=UTC))
    with GitHubEmulator(users=["alice"], now=clock.now, clock=clock.time) as emu:
        for n in range(250):
            emu.open_issue(REPO, f"item {n}", by="tracker-bot", labels=["tracker"])
            clock.advance(1)
        emu.open_issue(REPO, "not ours", by="alice")
        emu.open_issue(REPO, "a PR", by="alice", labels=["tracker"], pull_request=True)
        gt = tickets(emu)

        first = gt.changed_since(None)
        assert [t.key for t in first.tickets] == [str(n) for n in range(1, 251)]
        assert emu.calls == {("GET", ISSUES): 3}

        # Several pages carry no ETag for the whole result: the next call is one small 200
        # (only the issues stamped exactly at the mark, already returned, so dropped).
        emu.reset_counters()
        settle = gt.changed_since(first.watermark)
        assert settle.tickets == [] and emu.calls == {("GET", ISSUES): 1}

        emu.reset_counters()
        remaining = emu.limiter.remaining(BOT_TOKEN)
        idle = gt.changed_since(settle.watermark)
        assert idle.tickets == [] and idle.watermark == settle.watermark
        assert emu.calls == {("GET", ISSUES): 1} and emu.not_modified == 1
        assert emu.limiter.remaining(BOT_TOKEN) == remaining  # a 304 is free

        for number in (200, 7, 120):
            clock.advance(5)
            emu.edit_issue(REPO, number, by="alice", title=f"changed {number}")
        emu.reset_counters()
        changed = gt.changed_since(idle.watermark)
        assert [t.key for t in changed.tickets] == ["200", "7", "120"]  # oldest change first
        assert emu.calls == {("GET", ISSUES): 1} and emu.not_modified == 0

        emu.reset_counters()
        assert gt.changed_since(changed.watermark).tickets == []
        assert emu.not_modified == 1


def test_changed_since_does_not_repeat_tickets_at_the_mark() -> None:
    clock = ManualClock(datetime(2025, 1, 6, 9, 0, tzinfo=UTC))
    with GitHubEmulator(now=clock.now, clock=clock.time) as emu:
        gt = tickets(emu)
        gt.create(fields(assignee=None), marker="a")
        first = gt.changed_since(None)
        gt.create(fields(assignee=None), marker="b")  # same second as the mark: still new
        second = gt.changed_since(first.watermark)
        assert [t.key for t in second.tickets] == ["2"]
        clock.advance(1)
        gt.update("1", fields(assignee=None, title="t"), {"title"})
        assert [t.key for t in gt.changed_since(second.watermark).tickets] == ["1"]
        # A bare timestamp is accepted as a watermark too.
        assert len(gt.changed_since("2025-01-06T09:00:00+00:00").tickets) == 2


def test_retry_policy_that_resends_posts_is_refused(emu: GitHubEmulator) -> None:
    from github import GithubRetry

    assert "POST" not in (default_retry().allowed_methods or {"POST"})
    with pytest.raises(ValueError, match="POST"):
        GitHubTickets(TargetSpec("github", REPO), Connection("github", emu.api_url, token="t"),
                      retry=GithubRetry())
