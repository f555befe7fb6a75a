"""What the tracker needs from a ticket system (Jira, GitHub). Adapters in integrations/ implement it.

The core speaks in phases, people's vendor identities and dates; an adapter translates to
statuses, transitions, labels and milestones, and translates vendor failures into the errors
below, which decide what the worker does next (retry, look before re-creating, mark broken).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from tracker.actions.models import Phase, Priority


@dataclass(frozen=True)
class TargetSpec:
    """Where tickets go: a Jira project or a GitHub repository, plus the field mapping."""

    kind: str  # "jira" | "github"
    project: str  # Jira project key, or GitHub "owner/name"
    issue_type: str = "Task"  # Jira only
    mapping: dict[str, Any] = field(default_factory=dict)  # overrides of the default mapping


@dataclass(frozen=True)
class Connection:
    """Credentials and endpoint of one configured vendor account (from the environment only)."""

    kind: str
    url: str  # Jira site URL, or GitHub API base URL (https://api.github.com or GHE .../api/v3)
    user: str | None = None  # Jira: account email
    token: str = ""
    webhook_secret: str | None = None
    bot_identity: str | None = None  # our own account (Jira accountId / GitHub login): echo filter
    seconds_between_writes: float | None = None  # GitHub pacing; None: PyGithub's default (1 s)
    seconds_between_requests: float | None = None  # GitHub pacing; None: PyGithub's (0.25 s)
    max_retry_delay: float | None = None  # cap on the client's in-process retry sleeps

    def __repr__(self) -> str:  # never print secrets
        return f"Connection(kind={self.kind!r}, url={self.url!r}, user={self.user!r})"


@dataclass(frozen=True)
class TicketFields:
    """The synced fields, in the tracker's terms."""

    title: str
    body: str
    phase: Phase
    assignee: str | None  # Jira accountId or GitHub login; None = unassigned
    due: date | None
    priority: Priority


SYNCED_FIELDS = ("title", "phase", "assignee", "due", "priority")


@dataclass(frozen=True)
class RemoteTicket:
    """A ticket as the vendor has it now, mapped back to the tracker's terms."""

    key: str  # "CX-12" (Jira) or "42" (GitHub issue number)
    url: str  # where a person opens it
    title: str
    status: str  # the vendor's own status: "In Review", "open", "closed:completed"
    phase: Phase | None  # the phase that status maps to; None if it maps to none
    assignee: str | None
    due: date | None
    priority: Priority | None
    updated_at: datetime

    def synced(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "phase": self.phase.value if self.phase else None,
            "assignee": self.assignee,
            "due": self.due.isoformat() if self.due else None,
            "priority": self.priority.value if self.priority else None,
        }


@dataclass(frozen=True)
class ChangedTickets:
    tickets: list[RemoteTicket]
    watermark: str | None  # pass back next time to fetch only what changed after this batch


class TicketError(Exception):
    """Base of what adapters raise; the message is safe to show (no secrets)."""


class Transient(TicketError):
    """Try again later (5xx, 429, timeouts, dropped connections)."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class OutcomeUnknown(Transient):
    """A write may or may not have happened (timeout or drop after sending it)."""


class TicketGone(TicketError):
    """Deleted, moved, or no longer visible to our account. Stop syncing this link."""


class AccessRevoked(TicketError):
    """Our credentials are refused (401): nothing on this connection will work until fixed."""


class WorkflowBlocked(TicketError):
    """The vendor's workflow cannot reach the wanted status (or demands a field)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Rejected(TicketError):
    """The vendor refused the values (400/422): e.g. an unknown assignee or priority."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class TicketSystem(Protocol):
    """One target (a Jira project or a GitHub repository) seen through one connection."""

    def create(self, fields: TicketFields, *, marker: str) -> RemoteTicket:
        """Create a ticket carrying `marker` (Jira label / hidden line in a GitHub body).

        Must not retry by itself after the request was sent: the caller looks for the marker
        before trying again, so a retried POST can never make a second ticket."""
        ...

    def find_by_marker(self, marker: str, *, created_after: datetime) -> RemoteTicket | None:
        """The ticket carrying `marker`, if an earlier attempt created it after `created_after`.

        Must see a ticket created a moment ago (read-after-write): a search index that trails
        writes, as Jira's does, cannot answer "absent" alone. Raise Transient when it cannot
        tell yet; None means the caller may create."""
        ...

    def fetch(self, key: str) -> RemoteTicket: ...

    def update(self, key: str, fields: TicketFields, changed: set[str]) -> RemoteTicket:
        """Make the ticket's `changed` fields (names from SYNCED_FIELDS) match `fields`."""
        ...

    def changed_since(self, watermark: str | None) -> ChangedTickets:
        """Our tickets changed since the watermark (all of them when None), oldest first."""
        ...


class MappingCheck(Protocol):
    """Checks a target's field mapping for its kind of system; raises ValueError naming the
    offending key or value (the adapters define what a mapping may hold)."""

    def __call__(self, kind: str, mapping: dict[str, Any]) -> None: ...


class TicketSystemFactory(Protocol):
    def __call__(self, target: TargetSpec, connection: Connection) -> TicketSystem: ...


@dataclass(frozen=True)
class InboundNotice:
    """What a verified webhook tells us: which ticket to re-read, and who changed it."""

    delivery_id: str
    ticket_key: str | None  # None for events about things we do not sync
    project: str | None  # Jira project key or GitHub "owner/name"
    actor: str | None  # vendor identity of whoever made the change
    event: str  # vendor event name, for the log


@dataclass(frozen=True)
class WebhookCodec:
    """How to check and read one vendor's webhooks (pure functions from integrations/<vendor>)."""

    signature_header: str
    verify: Any  # (secret: str, body: bytes, header: str | None) -> bool
    parse: Any  # (headers: Mapping[str, str], body: bytes) -> InboundNotice
