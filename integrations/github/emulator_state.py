"""In-memory GitHub data model for the emulator: users, repositories, issues, milestones.

Every mutation goes through `IssueMutator` so that REST calls and "human" web-UI actions
change issues identically and produce the same webhook events (GitHub itself does not
distinguish them, except by `sender`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

# GitHub keeps milestone due dates as midnight US-Pacific (an artifact of its original design):
# whatever instant a client sends is floored to the Pacific date it falls on, so `D T00:00:00Z`
# comes back as `D-1 T07:00:00Z` (or T08:00:00Z outside daylight saving time).
GITHUB_ZONE = ZoneInfo("America/Los_Angeles")


class ApiError(Exception):
    """A GitHub error reply raised from deep inside state code; the router renders it."""

    def __init__(
        self, status: int, message: str, errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None, extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra or {}


def pacific_midnight(due: date | datetime) -> datetime:
    """The due_on GitHub stores for `due`: a date (the web UI's date picker) as that date's
    midnight in Los Angeles; an instant (the API) as midnight of its date in Los Angeles."""
    if isinstance(due, datetime):
        aware = due if due.tzinfo else due.replace(tzinfo=ZoneInfo("UTC"))
        due = aware.astimezone(GITHUB_ZONE).date()
    return datetime.combine(due, time(0), GITHUB_ZONE).astimezone(ZoneInfo("UTC"))


def invalid(resource: str, field_name: str, value: Any, code: str = "invalid") -> ApiError:
    """GitHub's 422 shape for a field it does not accept."""
    error = {"resource": resource, "field": field_name, "code": code, "value": value}
    return ApiError(422, "Validation Failed", [error])


@dataclass(eq=False)
class User:
    id: int
    login: str
    type: str = "User"  # "Bot" for GitHub App bots


@dataclass(eq=False)
class Label:
    id: int
    name: str
    color: str = "ededed"
    description: str | None = None


@dataclass(eq=False)
class Milestone:
    id: int
    number: int
    title: str
    creator: User
    created_at: datetime
    updated_at: datetime
    description: str | None = None
    state: str = "open"
    due_on: datetime | None = None
    closed_at: datetime | None = None


@dataclass(eq=False)
class Comment:
    id: int
    body: str
    user: User
    created_at: datetime
    updated_at: datetime


@dataclass(eq=False)
class Issue:
    id: int
    number: int
    repo: Repo
    title: str
    body: str | None
    user: User
    created_at: datetime
    updated_at: datetime
    state: str = "open"
    state_reason: str | None = None
    labels: list[Label] = field(default_factory=list)
    assignees: list[User] = field(default_factory=list)
    milestone: Milestone | None = None
    closed_at: datetime | None = None
    closed_by: User | None = None
    comments: list[Comment] = field(default_factory=list)
    is_pull_request: bool = False
    deleted: bool = False  # GETs answer 410 once deleted
    moved_to: Issue | None = None  # set by a transfer: GETs answer 301 to the new issue


@dataclass(eq=False)
class Repo:
    id: int
    owner: User
    name: str
    created_at: datetime
    issues: dict[int, Issue] = field(default_factory=dict)
    milestones: dict[int, Milestone] = field(default_factory=dict)
    labels: dict[str, Label] = field(default_factory=dict)  # keyed by lower-cased name
    forbidden_for: set[str] = field(default_factory=set)  # logins ("*" = everyone) seeing 404
    next_number: int = 1
    next_milestone: int = 1

    @property
    def full_name(self) -> str:
        return f"{self.owner.login}/{self.name}"

    def hidden_from(self, login: str) -> bool:
        return "*" in self.forbidden_for or login in self.forbidden_for


@dataclass
class Event:
    """One `issues` (or `issue_comment`) webhook to emit; rendered to JSON by the emulator."""

    action: str
    issue: Issue
    sender: User
    changes: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # label / assignee / milestone objects
    kind: str = "issues"


class Unset:
    """Marker for "field not sent", distinct from an explicit null."""


UNSET: Any = Unset()


class GitHubState:
    """All emulated data; callers hold the emulator lock while touching it."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now
        self._ids = itertools.count(1001)
        self.users: dict[str, User] = {}
        self.repos: dict[str, Repo] = {}  # keyed by lower-cased full name

    def now(self) -> datetime:
        # GitHub timestamps have one-second resolution.
        return self._now().replace(microsecond=0)

    def next_id(self) -> int:
        return next(self._ids)

    # -- users and repositories ---------------------------------------------------------------
    def add_user(self, login: str, type: str = "User") -> User:  # noqa: A002 - GitHub's name
        user = self.users.get(login.lower())
        if user is None:
            user = self.users[login.lower()] = User(self.next_id(), login, type)
        return user

    def user(self, login: str) -> User | None:
        return self.users.get(login.lower())

    def add_repo(self, full_name: str) -> Repo:
        owner, name = full_name.split("/")
        repo = self.repos.get(full_name.lower())
        if repo is None:
            repo = Repo(self.next_id(), self.add_user(owner), name, self.now())
            self.repos[full_name.lower()] = repo
        return repo

    def repo(self, full_name: str) -> Repo:
        repo = self.repos.get(full_name.lower())
        if repo is None:
            raise KeyError(f"no repository {full_name}")
        return repo

    def repo_by_id(self, repo_id: int) -> Repo | None:
        return next((r for r in self.repos.values() if r.id == repo_id), None)

    def label(self, repo: Repo, name: str) -> Label:
        """Labels are created on first use, as GitHub does for issue create/edit."""
        label = repo.labels.get(name.lower())
        if label is None:
            label = repo.labels[name.lower()] = Label(self.next_id(), name)
        return label

    def add_milestone(
        self, repo: Repo, title: str, creator: User, due_on: date | datetime | None = None,
        description: str | None = None, state: str = "open",
    ) -> Milestone:
        if any(m.title == title for m in repo.milestones.values()):
            raise invalid("Milestone", "title", title, "already_exists")
        now = self.now()
        milestone = Milestone(
            self.next_id(), repo.next_milestone, title, creator, now, now, description, state,
            pacific_midnight(due_on) if due_on is not None else None,
        )
        repo.milestones[milestone.number] = milestone
        repo.next_milestone += 1
        return milestone

    def edit_milestone(
        self, repo: Repo, milestone: Milestone, *, title: Any = UNSET, description: Any = UNSET,
        state: Any = UNSET, due_on: Any = UNSET,
    ) -> None:
        """PATCH semantics: only the given fields change; due_on is normalised like on create."""
        if title is not UNSET:
            if not isinstance(title, str) or not title:
                raise invalid("Milestone", "title", title, "missing_field")
            if any(m.title == title and m is not milestone for m in repo.milestones.values()):
                raise invalid("Milestone", "title", title, "already_exists")
            milestone.title = title
        if description is not UNSET:
            milestone.description = description
        if state is not UNSET:
            if state not in ("open", "closed"):
                raise invalid("Milestone", "state", state)
            milestone.state = state
            milestone.closed_at = self.now() if state == "closed" else None
        if due_on is not UNSET:
            milestone.due_on = pacific_midnight(due_on) if due_on is not None else None
        milestone.updated_at = self.now()
