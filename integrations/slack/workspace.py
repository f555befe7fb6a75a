"""The emulated Slack workspace: people, conversations, messages and the bot's tokens.

Kept free of HTTP so the Web API handlers, the sandbox page and tests all read one model.
Every mutation happens under the emulator's lock (the handlers take it), so nothing here locks.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class User:
    id: str
    name: str  # the handle, e.g. "ana"
    real_name: str
    email: str
    tz: str = "Europe/London"
    deleted: bool = False
    is_bot: bool = False

    def to_api(self, team_id: str) -> dict[str, Any]:
        """The `user` object of users.info / users.lookupByEmail (the fields adapters read)."""
        return {
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "deleted": self.deleted,
            "real_name": self.real_name,
            "tz": self.tz,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "profile": {
                "email": self.email,
                "real_name": self.real_name,
                "display_name": self.name,
                "team": team_id,
            },
        }


@dataclass
class Edit:
    """One earlier version of a message, kept so tests can see what an update replaced."""

    text: str
    blocks: list[dict[str, Any]] | None
    edited_at: float
    by: str  # "chat.update" or "response_url"


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] | None
    user: str  # author: the bot user id, or a person's id for messages seeded as people
    thread_ts: str | None = None
    bot_id: str | None = None
    edits: list[Edit] = field(default_factory=list)
    deleted: bool = False
    ephemeral_to: str | None = None  # set for chat.postEphemeral / ephemeral response_url replies
    via: str = "chat.postMessage"

    def to_api(self, team_id: str, app_id: str) -> dict[str, Any]:
        """The `message` object Slack returns from chat.postMessage and puts in payloads."""
        out: dict[str, Any] = {
            "type": "message",
            "user": self.user,
            "text": self.text,
            "ts": self.ts,
            "team": team_id,
        }
        if self.bot_id:
            out.update(bot_id=self.bot_id, app_id=app_id)
        if self.blocks is not None:
            out["blocks"] = self.blocks
        if self.thread_ts:
            out["thread_ts"] = self.thread_ts
        if self.edits:
            out["edited"] = {"user": self.user, "ts": f"{self.edits[-1].edited_at:.6f}"}
        return out


@dataclass
class Conversation:
    """A public channel (C...) or the bot's direct message with one person (D...)."""

    id: str
    name: str = ""
    is_im: bool = False
    user: str | None = None  # the other party of a DM
    members: set[str] = field(default_factory=set)
    archived: bool = False
    bot_member: bool = True
    messages: list[Message] = field(default_factory=list)

    def to_api(self) -> dict[str, Any]:
        if self.is_im:
            return {
                "id": self.id,
                "is_im": True,
                "user": self.user,
                "is_open": True,
                "is_archived": self.archived,
            }
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": True,
            "is_im": False,
            "is_private": False,
            "is_archived": self.archived,
            "is_member": self.bot_member,
            "num_members": len(self.members) + (1 if self.bot_member else 0),
        }


@dataclass
class Token:
    value: str
    revoked: bool = False  # -> token_revoked
    inactive: bool = False  # bot/workspace deactivated -> account_inactive


class TsClock:
    """Message timestamps as Slack writes them ("1700000000.000100"), strictly increasing.

    Real time keeps them plausible; the +1 microsecond rule keeps them unique when two posts land
    in the same microsecond, which is what lets a ts serve as a message id.
    """

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> str:
        micros = max(int(time.time() * 1_000_000), self._last + 1)
        self._last = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


class Workspace:
    def __init__(self, team_id: str, bot_user_id: str, bot_id: str) -> None:
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.users: dict[str, User] = {}
        self.conversations: dict[str, Conversation] = {}
        self.tokens: dict[str, Token] = {}
        self.clock = TsClock()
        self._ids = itertools.count(1)

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08X}"

    # -- look-ups ---------------------------------------------------------------------------
    def channel_by_name(self, name: str) -> Conversation | None:
        name = name.lstrip("#")
        return next((c for c in self.conversations.values() if not c.is_im and c.name == name), None)

    def user_by_email(self, email: str) -> User | None:
        email = email.strip().lower()
        return next((u for u in self.users.values() if u.email.lower() == email), None)

    def dm_for(self, user_id: str, create: bool = True) -> Conversation | None:
        found = next((c for c in self.conversations.values() if c.is_im and c.user == user_id), None)
        if found is None and create:
            found = Conversation(id=self.new_id("D"), is_im=True, user=user_id, members={user_id})
            self.conversations[found.id] = found
        return found

    def find_message(self, channel: str, ts: str) -> Message | None:
        conversation = self.conversations.get(channel)
        if conversation is None:
            return None
        return next((m for m in conversation.messages if m.ts == ts and not m.deleted), None)
