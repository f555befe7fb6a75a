""" "Human" actions: what a named person does to an issue in the Jira UI, for tests to script.

They take the same path as API changes (so `updated` moves and a webhook names the person), but
skip HTTP, auth and faults: a person in the UI is not subject to the tracker's credentials.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

from integrations.jira import emulator_changes as changes
from integrations.jira.emulator_model import Account, IssueRecord, JiraApiError
from integrations.jira.emulator_store import JiraStore


class HumanActor:
    def __init__(self, store: JiraStore, lock: threading.RLock, account: Account) -> None:
        self.store, self.lock, self.account = store, lock, account

    def _issue(self, key: str) -> IssueRecord:
        issue = self.store.issue_ref(key, self.account.account_id)
        if issue is None:
            raise KeyError(f"{key}: no such issue visible to {self.account.email}")
        return issue

    def create(self, project: str, summary: str, issuetype: str = "Task", **fields: Any) -> str:
        """Create an issue as this person; `fields` in REST form (labels=[...], duedate="2026-12-01")."""
        with self.lock:
            body = {
                "project": {"key": project},
                "issuetype": {"name": issuetype},
                "summary": summary,
                **fields,
            }
            return changes.create_issue(self.store, self.account.account_id, body).key

    def transition(self, key: str, status: str, **fields: Any) -> None:
        """Move the issue to `status` through an available transition, filling its screen with `fields`.

        Raises `ValueError` when the workflow has no transition there from the current status, and
        `JiraApiError` when the screen demands a field that was not given.
        """
        with self.lock:
            issue = self._issue(key)
            found = changes.find_transition(issue, status)
            if found is None:
                raise ValueError(f"{key}: no transition from '{issue.status.name}' to '{status}'")
            changes.transition_issue(self.store, self.account.account_id, issue, found.id, fields, {})

    def set_status(self, key: str, status: str) -> None:
        """Put the issue in `status` regardless of the workflow (an admin fixing data)."""
        with self.lock:
            issue = self._issue(key)
            target = next((s for s in self.store.all_statuses() if s.name.lower() == status.lower()), None)
            if target is None:
                raise ValueError(f"unknown status {status!r}")
            changes.force_status(self.store, self.account.account_id, issue, target)

    def assign(self, key: str, who: str | None) -> None:
        """`who`: accountId, email or display name; None unassigns."""
        with self.lock:
            account_id = None
            if who is not None:
                found = self.store.account_ref(who)
                if found is None:
                    raise KeyError(who)
                account_id = found.account_id
            changes.assign_issue(self.store, self.account.account_id, self._issue(key), account_id)

    def edit(self, key: str, **fields: Any) -> None:
        """Edit fields in REST form: summary="...", labels=[...], priority={"name": "High"}."""
        with self.lock:
            changes.edit_issue(self.store, self.account.account_id, self._issue(key), fields, {})

    def set_summary(self, key: str, summary: str) -> None:
        self.edit(key, summary=summary)

    def set_duedate(self, key: str, duedate: date | str | None) -> None:
        self.edit(key, duedate=duedate.isoformat() if isinstance(duedate, date) else duedate)

    def add_label(self, key: str, label: str) -> None:
        with self.lock:
            changes.edit_issue(
                self.store, self.account.account_id, self._issue(key), {}, {"labels": [{"add": label}]}
            )

    def remove_label(self, key: str, label: str) -> None:
        with self.lock:
            changes.edit_issue(
                self.store, self.account.account_id, self._issue(key), {}, {"labels": [{"remove": label}]}
            )

    def comment(self, key: str, body: str) -> str:
        with self.lock:
            return changes.add_comment(self.store, self.account.account_id, self._issue(key), body).id

    def delete(self, key: str) -> None:
        with self.lock:
            changes.delete_issue(self.store, self.account.account_id, self._issue(key))


__all__ = ["HumanActor", "JiraApiError"]
