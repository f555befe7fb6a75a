"""What the tracker needs from a messenger (Slack). The adapter lives in integrations/slack/.

The core describes *what* to say (a nudge about an action item, a digest) and *what* someone
asked for (a button press, a slash command); the adapter knows Block Kit, the Web API and
request signing. Errors below decide what the worker does: retry, tell the lead, or give up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol


@dataclass(frozen=True)
class NudgeMessage:
    """A reminder about one action item, with what the reader can do about it."""

    kind: str  # NudgeKind value: work_plan, before_due, due_today, overdue, escalation
    action_item_id: int
    title: str
    deadline: date
    phase: str
    next_phase: str | None  # what the "advance" button moves the item to (None: no button)
    moment_title: str | None
    owner_name: str
    days_to_deadline: int  # negative when overdue
    item_url: str  # the tracker's page/API URL of the item
    ticket_url: str | None  # Jira/GitHub ticket, if linked ("open the ticket" button)
    can_snooze: bool  # False once the snooze limit is reached
    note: str | None = None  # a line to show after an action ("Marked training by Ana")
    snooze_days: int = 1  # how long the team's snooze holds the nudges (its policy's snooze_days)


@dataclass(frozen=True)
class DigestSection:
    title: str
    lines: list[str]  # plain text lines, one fact each ("Fix VAT line: planned -> implementing")
    empty_text: str = "Nothing this week."


@dataclass(frozen=True)
class DigestReport:
    """A week's status for one team or the whole programme, renderer-neutral."""

    title: str  # "Billing Operations: week 2026-W47"
    scope: str  # "team:3" or "programme"
    week: str  # ISO week
    period: str  # "16-22 Nov 2026"
    headline: str  # one sentence with the key numbers
    sections: list[DigestSection]
    totals: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Posted:
    channel: str
    ts: str


@dataclass(frozen=True)
class Interaction:
    """A verified request from Slack, in the tracker's terms."""

    kind: str  # "button" | "command" | "view_submission"
    action: str  # advance, snooze, update, open_ticket (buttons); mine, overdue, help (commands)
    slack_user_id: str
    action_item_id: int | None = None
    text: str | None = None  # a typed note, or the slash command's arguments
    channel: str | None = None
    message_ts: str | None = None
    response_url: str | None = None
    trigger_id: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)


class MessengerError(Exception):
    """Base of what adapters raise; messages are safe to show (no tokens)."""


class MessengerTransient(MessengerError):
    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RecipientNotFound(MessengerError):
    """No Slack user for this person (no Slack id, and users.lookupByEmail found none)."""


class RecipientUnavailable(MessengerError):
    """The user or channel exists but cannot receive: deactivated, archived, bot not in channel."""


class MessengerAuthFailed(MessengerError):
    """Our token is refused (invalid_auth, token_revoked, account_inactive): nothing will work."""


class Messenger(Protocol):
    def find_user(self, *, slack_user_id: str | None, email: str | None) -> str:
        """The Slack user id to write to (checks a given id, else looks up the email)."""
        ...

    def send_nudge(self, user_id: str, message: NudgeMessage) -> Posted:
        """A direct message to one person."""
        ...

    def post_nudge_to_channel(self, channel: str, message: NudgeMessage) -> Posted:
        """An escalation in a team channel."""
        ...

    def update_nudge(self, posted: Posted, message: NudgeMessage) -> None:
        """Replace a posted nudge after someone acted on it."""
        ...

    def post_digest(self, channel: str, digest: DigestReport) -> Posted: ...


class InteractionCodec(Protocol):
    """Checking and reading Slack's requests to us (pure functions in integrations/slack)."""

    def verify(self, signing_secret: str, headers: Mapping[str, str], body: bytes) -> bool: ...

    def parse_interaction(self, body: bytes) -> Interaction: ...

    def parse_command(self, body: bytes) -> Interaction: ...

    def command_reply(self, text: str, items: list[NudgeMessage]) -> dict[str, Any]:
        """The JSON body answering a slash command (ephemeral)."""
        ...
