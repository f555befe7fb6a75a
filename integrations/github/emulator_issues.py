"""Issue mutations shared by the REST handlers and the "human" helpers, with their webhook events.

Each function validates like GitHub (422 on unknown assignees or milestones), changes the
issue, bumps `updated_at` only when something really changed, and returns the `issues`
events GitHub would send, one per kind of change.
"""

from __future__ import annotations

from typing import Any

from integrations.github.emulator_state import (
    UNSET,
    ApiError,
    Comment,
    Event,
    GitHubState,
    Issue,
    Milestone,
    Repo,
    User,
    invalid,
)

STATE_REASONS = {"completed", "not_planned", "reopened", "duplicate", None}


def create_issue(
    state: GitHubState, repo: Repo, actor: User, title: Any, body: str | None = None,
    labels: list[Any] | None = None, assignees: list[str] | None = None,
    milestone: Any = None, pull_request: bool = False,
) -> tuple[Issue, list[Event]]:
    if not isinstance(title, str | int) or str(title).strip() == "":
        raise invalid("Issue", "title", title, "missing_field")
    resolved_assignees = _users(state, assignees or [])
    resolved_milestone = _milestone(repo, milestone)
    now = state.now()
    issue = Issue(
        id=state.next_id(), number=repo.next_number, repo=repo, title=str(title), body=body,
        user=actor, created_at=now, updated_at=now, is_pull_request=pull_request,
        labels=[state.label(repo, name) for name in _label_names(labels or [])],
        assignees=resolved_assignees, milestone=resolved_milestone,
    )
    repo.issues[issue.number] = issue
    repo.next_number += 1
    return issue, [Event("opened", issue, actor)]


def edit_issue(
    state: GitHubState, issue: Issue, actor: User, *, title: Any = UNSET, body: Any = UNSET,
    state_value: Any = UNSET, state_reason: Any = UNSET, labels: Any = UNSET,
    assignees: Any = UNSET, milestone: Any = UNSET,
) -> list[Event]:
    """Apply a PATCH-like change; fields left UNSET are untouched (PyGithub sends only changes)."""
    if state_value is not UNSET and state_value not in ("open", "closed"):
        raise invalid("Issue", "state", state_value)
    if state_reason is not UNSET and state_reason not in STATE_REASONS:
        raise invalid("Issue", "state_reason", state_reason)
    if title is not UNSET and (title is None or str(title).strip() == ""):
        raise invalid("Issue", "title", title, "missing_field")
    # Resolve everything before changing anything, so a 422 leaves the issue intact.
    new_assignees = _users(state, assignees) if assignees is not UNSET else UNSET
    new_milestone = _milestone(issue.repo, milestone) if milestone is not UNSET else UNSET

    events: list[Event] = []
    changes: dict[str, Any] = {}
    if title is not UNSET and str(title) != issue.title:
        changes["title"] = {"from": issue.title}
        issue.title = str(title)
    if body is not UNSET and body != issue.body:
        changes["body"] = {"from": issue.body}
        issue.body = body
    if changes:
        events.append(Event("edited", issue, actor, changes=changes))
    if labels is not UNSET:
        events += _set_labels(state, issue, actor, _label_names(labels or []))
    if new_assignees is not UNSET:
        events += _set_assignees(issue, actor, new_assignees)
    if new_milestone is not UNSET and new_milestone is not issue.milestone:
        old, issue.milestone = issue.milestone, new_milestone
        if new_milestone is None:
            events.append(Event("demilestoned", issue, actor, extra={"milestone": old}))
        else:
            events.append(Event("milestoned", issue, actor, extra={"milestone": new_milestone}))
    events += _set_state(state, issue, actor, state_value, state_reason)
    if events:
        issue.updated_at = state.now()
    return events


def add_comment(state: GitHubState, issue: Issue, actor: User, body: Any) -> tuple[Comment, Event]:
    if not isinstance(body, str) or not body:
        raise invalid("IssueComment", "body", body, "missing_field")
    now = state.now()
    comment = Comment(state.next_id(), body, actor, now, now)
    issue.comments.append(comment)
    issue.updated_at = now  # commenting bumps the issue's updated_at on GitHub
    return comment, Event("created", issue, actor, extra={"comment": comment}, kind="issue_comment")


def delete_issue(issue: Issue, actor: User) -> list[Event]:
    issue.deleted = True
    return [Event("deleted", issue, actor)]


def transfer_issue(
    state: GitHubState, issue: Issue, target: Repo, actor: User
) -> tuple[Issue, list[Event]]:
    """Move an issue: the new one keeps content, gets a new number, the old URL answers 301."""
    moved, _ = create_issue(
        state, target, issue.user, issue.title, issue.body,
        labels=[label.name for label in issue.labels],
        assignees=[user.login for user in issue.assignees],
    )
    moved.created_at, moved.state = issue.created_at, issue.state
    moved.state_reason = issue.state_reason
    moved.closed_at, moved.closed_by = issue.closed_at, issue.closed_by
    issue.moved_to = moved
    changes = {"new_issue": moved, "new_repository": target}
    return moved, [Event("transferred", issue, actor, changes=changes)]


# -- helpers -------------------------------------------------------------------------------------
def _set_state(
    state: GitHubState, issue: Issue, actor: User, value: Any, reason: Any
) -> list[Event]:
    if value == "closed" and issue.state == "open":
        issue.state = "closed"
        issue.state_reason = reason if reason not in (UNSET, None) else "completed"
        issue.closed_at, issue.closed_by = state.now(), actor
        return [Event("closed", issue, actor)]
    if value == "open" and issue.state == "closed":
        issue.state, issue.state_reason = "open", "reopened"
        issue.closed_at = None
        return [Event("reopened", issue, actor)]
    if reason is not UNSET and reason != issue.state_reason and issue.state == "closed":
        # Changing only the reason of a closed issue is an edit without a state event.
        old, issue.state_reason = issue.state_reason, reason
        return [Event("edited", issue, actor, changes={"state_reason": {"from": old}})]
    return []


def _set_labels(state: GitHubState, issue: Issue, actor: User, names: list[str]) -> list[Event]:
    wanted = [state.label(issue.repo, name) for name in names]
    removed = [label for label in issue.labels if label not in wanted]
    added = [label for label in wanted if label not in issue.labels]
    issue.labels = _unique(wanted)
    return [Event("unlabeled", issue, actor, extra={"label": lb}) for lb in removed] + [
        Event("labeled", issue, actor, extra={"label": lb}) for lb in added
    ]


def _set_assignees(issue: Issue, actor: User, users: list[User]) -> list[Event]:
    removed = [user for user in issue.assignees if user not in users]
    added = [user for user in users if user not in issue.assignees]
    issue.assignees = _unique(users)
    return [Event("unassigned", issue, actor, extra={"assignee": u}) for u in removed] + [
        Event("assigned", issue, actor, extra={"assignee": u}) for u in added
    ]


def _users(state: GitHubState, logins: Any) -> list[User]:
    if logins is None:
        return []
    if not isinstance(logins, list) or len(logins) > 10:
        raise invalid("Issue", "assignees", logins)
    users = []
    for login in logins:
        user = state.user(str(login)) if login else None
        if user is None:
            raise invalid("Issue", "assignees", login)
        users.append(user)
    return _unique(users)


def _milestone(repo: Repo, value: Any) -> Milestone | None:
    if value in (None, ""):
        return None
    try:
        return repo.milestones[int(value)]
    except (KeyError, TypeError, ValueError):
        raise invalid("Issue", "milestone", value) from None


def _label_names(labels: Any) -> list[str]:
    if not isinstance(labels, list):
        raise invalid("Issue", "labels", labels)
    # GitHub accepts label names or {"name": ...} objects.
    return [str(lb["name"]) if isinstance(lb, dict) else str(lb) for lb in labels]


def _unique(items: list[Any]) -> list[Any]:
    seen: list[Any] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def live_issue(repo: Repo, number: int) -> Issue:
    """The issue a URL names, or the GitHub error for it (404 / 410 / 301 follow-up)."""
    issue = repo.issues.get(number)
    if issue is None:
        raise ApiError(404, "Not Found")
    if issue.deleted:
        raise ApiError(410, "This issue was deleted")
    return issue

