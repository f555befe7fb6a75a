"""What people do in GitHub's web UI, for tests: each call changes the issue as the named user,
bumps `updated_at` and emits the same webhooks an API change would, with that user as sender.

Also the vendor-side events a sync must survive: deleted, transferred, hidden repositories.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from integrations.github import emulator_issues as ops
from integrations.github.emulator_state import UNSET, Event, GitHubState, Issue, Milestone, User


class HumanActions:
    """Mixin for GitHubEmulator; relies on its `state`, `lock` and `emit`."""

    state: GitHubState
    lock: threading.RLock
    emit: Callable[[list[Event]], None]

    def _person(self, login: str) -> User:
        return self.state.add_user(login)  # people exist as soon as a test names them

    def _issue(self, repo: str, number: int) -> Issue:
        return ops.live_issue(self.state.repo(repo), number)

    def _edit(self, repo: str, number: int, by: str, **fields: Any) -> Issue:
        with self.lock:
            issue = self._issue(repo, number)
            self.emit(ops.edit_issue(self.state, issue, self._person(by), **fields))
            return issue

    # -- seeding -----------------------------------------------------------------------------
    def open_issue(
        self, repo: str, title: str, by: str, body: str | None = None,
        labels: list[str] | None = None, assignees: list[str] | None = None,
        milestone: int | None = None, pull_request: bool = False,
    ) -> int:
        """Somebody opens an issue (or a pull request) on the web; returns its number."""
        with self.lock:
            for login in assignees or []:
                self._person(login)
            issue, events = ops.create_issue(
                self.state, self.state.repo(repo), self._person(by), title, body, labels,
                assignees, milestone, pull_request=pull_request,
            )
            self.emit(events)
            return issue.number

    def add_milestone(
        self, repo: str, title: str, due_on: date | datetime | None = None, by: str = "octocat",
        description: str | None = None,
    ) -> int:
        """A date is what the web UI's picker gives; GitHub stores either as Pacific midnight."""
        with self.lock:
            milestone = self.state.add_milestone(
                self.state.repo(repo), title, self._person(by), due_on, description
            )
            return milestone.number

    # -- edits -------------------------------------------------------------------------------
    def close_issue(self, repo: str, number: int, by: str, reason: str = "completed") -> None:
        self._edit(repo, number, by, state_value="closed", state_reason=reason)

    def reopen_issue(self, repo: str, number: int, by: str) -> None:
        self._edit(repo, number, by, state_value="open")

    def edit_issue(
        self, repo: str, number: int, by: str, title: Any = UNSET, body: Any = UNSET
    ) -> None:
        self._edit(repo, number, by, title=title, body=body)

    def assign(self, repo: str, number: int, by: str, *logins: str) -> None:
        for login in logins:
            self._person(login)
        current = [u.login for u in self._issue(repo, number).assignees]
        self._edit(repo, number, by, assignees=current + list(logins))

    def unassign(self, repo: str, number: int, by: str, *logins: str) -> None:
        gone = {login.lower() for login in logins}
        current = [u.login for u in self._issue(repo, number).assignees]
        self._edit(repo, number, by, assignees=[x for x in current if x.lower() not in gone])

    def set_milestone(self, repo: str, number: int, by: str, milestone: int | None) -> None:
        self._edit(repo, number, by, milestone=milestone)

    def add_label(self, repo: str, number: int, by: str, *names: str) -> None:
        current = [lb.name for lb in self._issue(repo, number).labels]
        self._edit(repo, number, by, labels=current + list(names))

    def remove_label(self, repo: str, number: int, by: str, *names: str) -> None:
        gone = {name.lower() for name in names}
        current = [lb.name for lb in self._issue(repo, number).labels]
        self._edit(repo, number, by, labels=[x for x in current if x.lower() not in gone])

    def comment(self, repo: str, number: int, by: str, body: str) -> int:
        with self.lock:
            comment, event = ops.add_comment(
                self.state, self._issue(repo, number), self._person(by), body
            )
            self.emit([event])
            return comment.id

    # -- vendor-state faults -----------------------------------------------------------------
    def delete_issue(self, repo: str, number: int, by: str = "octocat") -> None:
        """An admin deletes the issue: its URL answers 410 from now on."""
        with self.lock:
            self.emit(ops.delete_issue(self._issue(repo, number), self._person(by)))

    def transfer_issue(self, repo: str, number: int, to_repo: str, by: str = "octocat") -> int:
        """Move the issue to another repository: the old URL answers 301. Returns the new number."""
        with self.lock:
            target = self.state.add_repo(to_repo)
            moved, events = ops.transfer_issue(
                self.state, self._issue(repo, number), target, self._person(by)
            )
            self.emit(events)
            return moved.number

    def forbid_repo(self, repo: str, login: str = "*") -> None:
        """The token's user (or everyone, "*") loses access: every URL of the repo answers 404."""
        with self.lock:
            self.state.repo(repo).forbidden_for.add(login)

    def allow_repo(self, repo: str, login: str = "*") -> None:
        with self.lock:
            self.state.repo(repo).forbidden_for.discard(login)

    # -- inspection --------------------------------------------------------------------------
    def issue(self, repo: str, number: int) -> Issue:
        """The stored issue model (deleted or moved ones included), for assertions."""
        with self.lock:
            return self.state.repo(repo).issues[number]

    def issues(self, repo: str) -> list[Issue]:
        with self.lock:
            return [i for i in self.state.repo(repo).issues.values()
                    if not i.deleted and i.moved_to is None]

    def milestone(self, repo: str, number: int) -> Milestone:
        with self.lock:
            return self.state.repo(repo).milestones[number]
