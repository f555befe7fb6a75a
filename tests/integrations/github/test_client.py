"""GitHubTickets through real PyGithub against the emulator: fields, call counts, lost writes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from integrations.github.client import GitHubTickets
from integrations.github.emulator import BOT_TOKEN, GitHubEmulator, ManualClock
from integrations.github.errors import default_retry
from tests.integrations.github.conftest import REPO
from tracker.actions.models import Phase, Priority
from tracker.sync.ports import (
    Connection,
    Rejected,
    TargetSpec,
    TicketFields,
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
