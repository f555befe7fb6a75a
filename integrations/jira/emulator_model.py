"""State records of the Jira emulator: accounts, projects, issues, and a controllable clock.

Plain dataclasses, no HTTP: the store mutates them under the emulator lock and the renderer turns
them into the JSON shapes Jira Cloud returns.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from integrations.jira.emulator_workflows import Status, Workflow


class JiraApiError(Exception):
    """A vendor error: rendered as `{"errorMessages": [...], "errors": {...}}` with `status`."""

    def __init__(
        self, status: int, messages: list[str] | None = None, errors: dict[str, str] | None = None
    ) -> None:
        self.status = status
        self.messages = messages or []
        self.errors = errors or {}
        super().__init__(f"{status}: {self.messages} {self.errors}")

    def body(self) -> dict[str, Any]:
        return {"errorMessages": self.messages, "errors": self.errors}


# -- time ------------------------------------------------------------------------------------------
def format_jira_time(moment: datetime) -> str:
    """Jira's REST timestamp: `2026-11-22T10:00:00.000+0000` (milliseconds, no colon in offset)."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+0000"


def parse_jira_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """Wall-clock UTC time, truncated to milliseconds like Jira stores it."""

    def now(self) -> datetime:
        moment = datetime.now(UTC)
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


class ManualClock:
    """A clock tests move by hand, to make `updated` times (and JQL on them) deterministic."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = (start or datetime(2026, 11, 22, 10, 0, tzinfo=UTC)).astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, **delta: float) -> datetime:
        """`clock.advance(minutes=5)`: takes `timedelta` keyword arguments."""
        with self._lock:
            self._now += timedelta(**delta)
            return self._now

    def set(self, moment: datetime) -> None:
        with self._lock:
            self._now = moment.astimezone(UTC)


# -- reference data --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Named:
    """Priorities, resolutions and issue types: an id, a name, a description."""

    id: str
    name: str
    description: str = ""


PRIORITIES = [
    Named("1", "Highest", "This problem will block progress."),
    Named("2", "High", "Serious problem that could block progress."),
    Named("3", "Medium", "Has the potential to affect progress."),
    Named("4", "Low", "Minor problem or easily worked around."),
    Named("5", "Lowest", "Trivial problem with little or no impact on progress."),
]
DEFAULT_PRIORITY = PRIORITIES[2]

RESOLUTIONS = [
    Named("10000", "Done", "Work has been completed on this issue."),
    Named("10001", "Won't Do", "This issue won't be actioned."),
    Named("10002", "Duplicate", "The problem is a duplicate of an existing issue."),
    Named("10003", "Cannot Reproduce", "All attempts at reproducing this issue failed."),
]

ISSUE_TYPES = [
    Named("10001", "Task", "A small, distinct piece of work."),
    Named("10002", "Bug", "A problem or error."),
    Named("10003", "Story", "A user story."),
    Named("10004", "Epic", "A big user story that needs to be broken down."),
]


def find_named(items: list[Named], ref: Any) -> Named | None:
    """Resolve a `{"name": ...}` or `{"id": ...}` reference (what clients send) to an item."""
    if not isinstance(ref, dict):
        return None
    for item in items:
        if ("id" in ref and str(ref["id"]) == item.id) or ("name" in ref and ref["name"] == item.name):
            return item
    return None


@dataclass
class CustomField:
    id: str  # "customfield_10050"
    name: str
    type: str = "string"  # "string" | "number" | "date"


# -- records ---------------------------------------------------------------------------------------
@dataclass
class Account:
    account_id: str
    email: str
    display_name: str
    api_token: str | None
    is_bot: bool = False
    active: bool = True
    revoked: bool = False
    time_zone: str = "Etc/UTC"


@dataclass
class Project:
    id: str
    key: str
    name: str
    workflow: Workflow
    lead_account_id: str | None = None
    next_number: int = 1


@dataclass
class CommentRecord:
    id: str
    author: str  # accountId
    body: str
    created: datetime
    updated: datetime


@dataclass
class ChangeItem:
    """One changelog item, exactly the keys Jira puts in webhooks and `expand=changelog`."""

    field: str
    fieldtype: str
    field_id: str
    from_: str | None
    from_string: str | None
    to: str | None
    to_string: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "fieldtype": self.fieldtype,
            "fieldId": self.field_id,
            "from": self.from_,
            "fromString": self.from_string,
            "to": self.to,
            "toString": self.to_string,
        }


@dataclass
class History:
    id: str
    author: str  # accountId
    created: datetime
    items: list[ChangeItem]


@dataclass
class IssueRecord:
    id: str
    key: str
    project: Project
    issue_type: Named
    summary: str
    reporter: str  # accountId
    created: datetime
    updated: datetime
    status: Status
    status_changed: datetime
    description: str | None = None
    labels: list[str] = field(default_factory=list)
    duedate: date | None = None
    priority: Named = DEFAULT_PRIORITY
    assignee: str | None = None  # accountId
    resolution: Named | None = None
    resolution_date: datetime | None = None
    custom: dict[str, Any] = field(default_factory=dict)  # customfield id -> value
    comments: list[CommentRecord] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)  # entity properties
    histories: list[History] = field(default_factory=list)

    @property
    def number(self) -> int:
        return int(self.key.rsplit("-", 1)[1])
