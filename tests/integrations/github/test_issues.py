"""Issues, milestones, comments and listings through the real PyGithub client."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from github import Github, GithubException

from integrations.github.emulator import GitHubEmulator, ManualClock
from tests.integrations.github.conftest import REPO


def test_create_get_edit_close_reopen_round_trip(emu: GitHubEmulator, gh: Github) -> None:
    repo = gh.get_repo(REPO)
    milestone = repo.create_milestone("Sprint 1", due_on=date(2025, 3, 31))
    issue = repo.create_issue(
        "Checkout loses the basket", body="finding F-1", assignees=["alice"],
        labels=["cx", "checkout"], milestone=milestone,
    )
    assert issue.number == 1
    assert issue.url == f"{emu.api_url}/repos/{REPO}/issues/1"
    assert issue.html_url == f"{emu.url}/{REPO}/issues/1"
    assert [label.name for label in issue.labels] == ["cx", "checkout"]
    assert [user.login for user in issue.assignees] == ["alice"]
    assert issue.milestone.number == milestone.number
    # PyGithub sends 2025-03-31T00:00:00Z; GitHub floors it to Pacific midnight (of the 30th).
    assert issue.milestone.due_on == datetime(2025, 3, 30, 7, tzinfo=UTC)
    assert issue.user.login == "tracker-bot"

    fetched = repo.get_issue(1)
    assert (fetched.title, fetched.body, fetched.state) == ("Checkout loses the basket",
                                                          "finding F-1", "open")
    fetched.edit(title="Checkout drops the basket", assignees=["bob"], milestone=None)
    again = repo.get_issue(1)
    assert again.title == "Checkout drops the basket"
    assert [user.login for user in again.assignees] == ["bob"]
    assert again.milestone is None
    assert again.body == "finding F-1"  # untouched fields stay

    again.edit(state="closed", state_reason="not_planned")
    closed = repo.get_issue(1)
    assert (closed.state, closed.state_reason) == ("closed", "not_planned")
    assert closed.closed_at is not None
    closed.edit(state="open")
    reopened = repo.get_issue(1)
    assert (reopened.state, reopened.state_reason, reopened.closed_at) == ("open", "reopened", None)


def test_unknown_assignee_or_milestone_is_422_and_changes_nothing(gh: Github) -> None:
    repo = gh.get_repo(REPO)
    with pytest.raises(GithubException) as raised:
        repo.create_issue("x", assignees=["nobody-here"])
    assert raised.value.status == 422
    issue = repo.create_issue("y")
    with pytest.raises(GithubException) as raised:
        issue.edit(title="z", assignees=["nobody-here"])
    assert raised.value.status == 422
    assert repo.get_issue(issue.number).title == "y"


def test_listing_with_since_and_pagination_over_100_issues() -> None:
    clock = ManualClock(datetime(2025, 1, 6, 9, 0, tzinfo=UTC))
    with GitHubEmulator(now=clock.now) as emu:
        for n in range(130):
            emu.open_issue(REPO, f"issue {n}", by="alice")
            clock.advance(60)
        repo = emu.client(per_page=100).get_repo(REPO)
        emu.reset_counters()
        everything = list(repo.get_issues(state="all", sort="created", direction="asc"))
        assert [i.number for i in everything] == list(range(1, 131))
        assert emu.call_count("GET", "/repos/{owner}/{repo}/issues") == 2  # two pages of 100

        cutoff = datetime(2025, 1, 6, 9, 0, tzinfo=UTC) + timedelta(minutes=120)
        recent = repo.get_issues(state="all", since=cutoff)
        assert sorted(i.number for i in recent) == list(range(121, 131))

        emu.close_issue(REPO, 5, by="bob")  # an old issue changes "now": since must find it
        changed = repo.get_issues(state="all", since=clock.now() - timedelta(seconds=1))
        assert [i.number for i in changed] == [5]
        assert repo.get_issues(state="closed").totalCount == 1


def test_link_header_pages_and_total_count(emu: GitHubEmulator) -> None:
    for n in range(7):
        emu.open_issue(REPO, f"issue {n}", by="alice", labels=["cx"] if n % 2 else [])
    gh = emu.client(per_page=3)
    issues = gh.get_repo(REPO).get_issues(state="open", labels=["cx"])
    assert sorted(i.number for i in issues) == [2, 4, 6]
    paged = gh.get_repo(REPO).get_issues()
    assert paged.totalCount == 7
    assert [i.number for i in paged.get_page(2)] == [1]


def test_pull_requests_show_up_in_issue_listings(emu: GitHubEmulator, gh: Github) -> None:
    emu.open_issue(REPO, "a bug", by="alice")
    emu.open_issue(REPO, "a fix", by="alice", pull_request=True)
    listed = {i.number: i for i in gh.get_repo(REPO).get_issues(state="all")}
    assert listed[1].pull_request is None
    assert listed[2].pull_request is not None


def test_milestones_and_comments(emu: GitHubEmulator, gh: Github) -> None:
    repo = gh.get_repo(REPO)
    repo.create_milestone("Later", due_on=date(2025, 6, 30))
    first = repo.create_milestone("Soon", due_on=date(2025, 2, 28))
    assert [m.title for m in repo.get_milestones()] == ["Soon", "Later"]  # by due date
    assert repo.get_milestone(first.number).due_on == datetime(2025, 2, 27, 8, tzinfo=UTC)  # PST
    with pytest.raises(GithubException):
        repo.create_milestone("Soon")  # titles are unique, like GitHub's 422

    issue = repo.create_issue("with comments", milestone=first)
    issue.create_comment("first")
    emu.comment(REPO, issue.number, by="alice", body="second")
    comments = list(issue.get_comments())
    assert [(c.body, c.user.login) for c in comments] == [("first", "tracker-bot"),
                                                          ("second", "alice")]
    assert repo.get_issue(issue.number).comments == 2
    assert repo.get_milestone(first.number).open_issues == 1


def test_label_and_assignee_endpoints(gh: Github) -> None:
    issue = gh.get_repo(REPO).create_issue("labels")
    issue.add_to_labels("a", "b")
    issue.remove_from_labels("a")
    issue.add_to_assignees("alice")
    fresh = gh.get_repo(REPO).get_issue(issue.number)
    assert [label.name for label in fresh.labels] == ["b"]
    assert [user.login for user in fresh.assignees] == ["alice"]


def test_calls_are_counted_per_route(emu: GitHubEmulator, gh: Github) -> None:
    repo = gh.get_repo(REPO)
    emu.reset_counters()
    for n in range(3):
        repo.create_issue(f"n{n}")
    repo.get_issue(2).edit(title="renamed")
    assert emu.call_count("POST", "/repos/{owner}/{repo}/issues") == 3
    assert emu.call_count("GET", "/repos/{owner}/{repo}/issues/{number}") == 1
    assert emu.call_count("PATCH") == 1
    assert emu.call_count() == 5
    assert gh.get_user().login == "tracker-bot"


@pytest.mark.parametrize(("sent", "stored"), [
    ("2026-07-15T00:00:00Z", "2026-07-14T07:00:00Z"),  # PDT: the previous Pacific day
    ("2026-07-15T06:59:59Z", "2026-07-14T07:00:00Z"),
    ("2026-07-15T07:00:00Z", "2026-07-15T07:00:00Z"),
    ("2026-07-15T12:00:00Z", "2026-07-15T07:00:00Z"),
    ("2026-12-01T00:00:00Z", "2026-11-30T08:00:00Z"),  # PST
    ("2026-12-01T12:00:00Z", "2026-12-01T08:00:00Z"),
    ("2026-12-01T23:59:59-08:00", "2026-12-01T08:00:00Z"),
])
def test_milestone_due_on_is_stored_as_pacific_midnight(gh: Github, sent: str, stored: str) -> None:
    """GitHub keeps due dates as midnight US-Pacific, whatever instant the client sends."""
    repo = gh.get_repo(REPO)
    created = repo._requester.requestJsonAndCheck(  # the raw reply: no client-side parsing
        "POST", f"{repo.url}/milestones", input={"title": "M", "due_on": sent})[1]
    assert created["due_on"] == stored
    assert repo.get_milestone(created["number"]).raw_data["due_on"] == stored


def test_milestone_edit_moves_the_due_date_to_pacific_midnight(emu: GitHubEmulator, gh: Github) -> None:
    repo = gh.get_repo(REPO)
    milestone = repo.create_milestone("M", due_on=datetime(2026, 3, 7, 12, tzinfo=UTC))
    assert milestone.due_on == datetime(2026, 3, 7, 8, tzinfo=UTC)  # before the DST switch
    answer = repo._requester.requestJsonAndCheck(
        "PATCH", milestone.url, input={"due_on": "2026-03-09T12:00:00Z"})[1]
    assert answer["due_on"] == "2026-03-09T07:00:00Z"  # after it
    assert (answer["title"], emu.milestone(REPO, milestone.number).title) == ("M", "M")
    milestone.edit("M2", state="closed")
    again = repo.get_milestone(milestone.number)
    assert (again.title, again.state, again.due_on) == ("M2", "closed", datetime(2026, 3, 9, 7, tzinfo=UTC))
    with pytest.raises(GithubException) as raised:
        repo._requester.requestJsonAndCheck("PATCH", f"{repo.url}/milestones/99", input={"title": "x"})
    assert raised.value.status == 404


def test_a_date_picked_in_the_web_ui_is_that_day_s_pacific_midnight(emu: GitHubEmulator, gh: Github) -> None:
    number = emu.add_milestone(REPO, "Picked", date(2026, 11, 1))  # the day DST ends
    assert gh.get_repo(REPO).get_milestone(number).due_on == datetime(2026, 11, 1, 7, tzinfo=UTC)
