"""A Slack Web API emulator for the tracker's tests, benchmarks and the `make run` sandbox.

    with SlackEmulator(bot_token="xoxb-t", signing_secret="s", time_scale=0.01) as slack:
        ana = slack.add_user("ana", email="ana@example.com")
        slack.add_channel("cx-findings", members=[ana.id])
        slack.interactivity_url = "http://127.0.0.1:8000/slack/interactivity"
        client = WebClient("xoxb-t", base_url=slack.url + "/api/")
        ...
        slack.messages_for_user(ana.id)      # what the bot DMed Ana, with edit history

Routes: `POST /api/<method>` (Web API, Bearer token), `GET /sandbox` (the page),
`POST /response/<token>` (response_url). Modules: web_api (methods, errors), transport (auth,
tiers, records), ratelimit, interactivity (payloads, response_url), views (modals), sandbox_html.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from integrations.slack import signing
from integrations.slack.interactivity import Interactions
from integrations.slack.ratelimit import RateLimiter, Violation
from integrations.slack.transport import ApiCall, SlackTransport, stop_quickly
from integrations.slack.views import View, Views
from integrations.slack.web_api import WebApi, edit
from integrations.slack.workspace import Conversation, Message, Token, User, Workspace

__all__ = ["ApiCall", "SlackEmulator", "stop_quickly"]


class SlackEmulator(SlackTransport):
    def __init__(
        self,
        *,
        bot_token: str = "xoxb-emulator-bot-token",
        signing_secret: str = "emulator-signing-secret",
        team_id: str = "T0EMULATOR",
        team_domain: str = "tracker-sandbox",
        app_id: str = "A0TRACKER",
        bot_user_id: str = "U0TRACKERBOT",
        bot_id: str = "B0TRACKERBOT",
        bot_name: str = "tracker",
        interactivity_url: str | None = None,
        slash_command_url: str | None = None,
        time_scale: float = 1.0,
        rate_limits: bool = True,
        channel_burst: int = 4,
        fault_retry_after: int = 1,
        chat_write_public: bool = False,
        deleted_user_post_error: str | None = None,
    ) -> None:
        super().__init__()
        self.signing_secret = signing_secret
        self.team_domain = team_domain
        self.app_id = app_id
        self.bot_name = bot_name
        self.interactivity_url = interactivity_url
        self.slash_command_url = slash_command_url
        self.fault_retry_after = fault_retry_after
        self.chat_write_public = chat_write_public  # scope that lets a bot post where it isn't a member
        self.deleted_user_post_error = deleted_user_post_error
        self.workspace = Workspace(team_id, bot_user_id, bot_id)
        self.limiter = RateLimiter(time_scale=time_scale, channel_burst=channel_burst, enabled=rate_limits)
        self.request_counts: Counter[str] = Counter()  # Web API method -> requests that reached it
        self.calls: list[ApiCall] = []
        self.internal_errors: list[str] = []
        self.add_token(bot_token)
        self.bot_token = bot_token
        self.api = WebApi(self)
        self.interactions = Interactions(self)
        self.views = Views(self)
        self.api.methods["views.open"] = self.views.views_open
        self.router.add("POST", r"/api/(?P<method>[A-Za-z0-9_.]+)", self._api)
        self.router.add("GET", r"/api/(?P<method>[A-Za-z0-9_.]+)", self._api)
        self.interactions.register(self.router)
        from integrations.slack.emulator_sandbox import register_sandbox  # the page imports us

        register_sandbox(self)

    @property
    def team_id(self) -> str:
        return self.workspace.team_id

    def start(self, port: int = 0) -> SlackEmulator:
        super().start(port)
        return self

    def __enter__(self) -> SlackEmulator:
        return self.start() if self._server is None else self

    # -- workspace set-up ------------------------------------------------------------------
    def add_user(
        self,
        name: str,
        *,
        email: str | None = None,
        real_name: str | None = None,
        tz: str = "Europe/London",
        deleted: bool = False,
        user_id: str | None = None,
    ) -> User:
        with self.lock:
            user = User(
                id=user_id or self.workspace.new_id("U"),
                name=name,
                real_name=real_name or name.replace(".", " ").title(),
                email=email or f"{name}@example.com",
                tz=tz,
                deleted=deleted,
            )
            self.workspace.users[user.id] = user
            return user

    def add_channel(
        self,
        name: str,
        *,
        members: list[str] | tuple[str, ...] = (),
        bot_member: bool = True,
        archived: bool = False,
        channel_id: str | None = None,
    ) -> Conversation:
        with self.lock:
            channel = Conversation(
                id=channel_id or self.workspace.new_id("C"),
                name=name.lstrip("#"),
                members=set(members),
                archived=archived,
                bot_member=bot_member,
            )
            self.workspace.conversations[channel.id] = channel
            return channel

    def add_token(self, token: str) -> None:
        with self.lock:
            self.workspace.tokens[token] = Token(token)

    def revoke_token(self, token: str) -> None:
        with self.lock:
            self.workspace.tokens.setdefault(token, Token(token)).revoked = True

    def deactivate_token(self, token: str) -> None:
        """The bot user / workspace behind the token is gone: calls answer `account_inactive`."""
        with self.lock:
            self.workspace.tokens.setdefault(token, Token(token)).inactive = True

    def deactivate_user(self, user_id: str) -> None:
        with self.lock:
            self.workspace.users[user_id].deleted = True

    def archive_channel(self, channel_id: str) -> None:
        with self.lock:
            self.workspace.conversations[channel_id].archived = True

    def delete_message(self, channel: str, ts: str) -> None:
        """A message removed in Slack (by its author or an admin): chat.update then answers
        `message_not_found`, as Slack does."""
        with self.lock:
            conversation = self.api.conversation(channel, allow_user=True)
            found = self.workspace.find_message(conversation.id, ts)
            if found is None:
                raise LookupError(f"no message {ts} in {channel}")
            found.deleted = True

    def post_as_user(self, user_id: str, channel: str, text: str) -> Message:
        """A message written by a person (the bot can't chat.update it: `cant_update_message`)."""
        with self.lock:
            conversation = self.api.conversation(channel, allow_user=True)
            message = Message(conversation.id, self.workspace.clock.next(), text, None, user_id, via="person")
            conversation.messages.append(message)
            return message

    # -- inspection ------------------------------------------------------------------------
    def conversation(self, ref: str) -> Conversation:
        """A channel by id or `#name`, a DM by id, or a person's DM by their user id."""
        with self.lock:
            return self.api.conversation(ref, allow_user=True)

    def messages_in_channel(self, channel: str, *, include_deleted: bool = False) -> list[Message]:
        """Messages (thread replies included, in ts order) in a channel given by id or `#name`."""
        with self.lock:
            conversation = self.api.conversation(channel, allow_user=True)
            return [m for m in conversation.messages if include_deleted or not m.deleted]

    def messages_for_user(self, user_id: str) -> list[Message]:
        """What the bot sent the person in its DM with them (empty if never opened)."""
        with self.lock:
            dm = self.workspace.dm_for(user_id, create=False)
            return [m for m in dm.messages if not m.deleted] if dm else []

    def ephemeral_for_user(self, user_id: str) -> list[Message]:
        with self.lock:
            return [m for m in self.interactions.ephemerals if m.ephemeral_to == user_id and not m.deleted]

    def message(self, channel: str, ts: str) -> Message | None:
        with self.lock:
            return self.workspace.find_message(self.api.conversation(channel, allow_user=True).id, ts)

    @property
    def rate_limit_violations(self) -> list[Violation]:
        return self.limiter.violations

    @property
    def rate_limit_counts(self) -> Counter[str]:
        """ "chat.postMessage", "chat.postMessage:C123", "users.lookupByEmail"... -> 429s served."""
        return self.limiter.counts

    @property
    def deliveries(self) -> list[signing.Delivery]:
        return self.interactions.deliveries

    # -- signing and interactivity (for tests of the app) -----------------------------------
    def sign(self, body: bytes, timestamp: int | str | None = None) -> dict[str, str]:
        """Headers Slack would send with `body` (Content-Type, timestamp, v0 signature)."""
        return signing.signed_headers(self.signing_secret, body, timestamp)

    def signature(self, body: bytes, timestamp: int | str) -> str:
        return signing.signature(self.signing_secret, body, timestamp)

    def click(
        self,
        channel: str,
        ts: str,
        action_id: str,
        *,
        user_id: str,
        block_id: str | None = None,
        inputs: dict[str, str] | None = None,
    ) -> signing.Delivery:
        """Press a button on a stored message as `user_id`; returns the delivery to the app.

        `inputs` maps the action_id of text inputs on the message to what the person typed.
        """
        return self.interactions.click(
            channel, ts, action_id, user_id=user_id, block_id=block_id, inputs=inputs
        )

    def slash_command(
        self,
        user_id: str,
        text: str = "",
        *,
        command: str = "/tracker",
        channel_id: str | None = None,
    ) -> signing.Delivery:
        return self.interactions.slash_command(user_id, text, command=command, channel_id=channel_id)

    def open_views(self, user_id: str) -> list[View]:
        """Modals the app opened (views.open) that are still on this person's screen."""
        with self.lock:
            return self.views.open_for(user_id)

    def submit_view(self, view_id: str, values: dict[str, str] | None = None) -> signing.Delivery:
        """Submit a modal; `values` maps input action_ids to text. Applies the app's answer."""
        return self.views.submit(view_id, values)

    # -- message store used by the handlers -------------------------------------------------
    def store_message(
        self,
        conversation: Conversation,
        text: str,
        blocks: list[dict[str, Any]] | None,
        *,
        thread_ts: str | None = None,
        via: str = "chat.postMessage",
    ) -> Message:
        message = Message(
            channel=conversation.id,
            ts=self.workspace.clock.next(),
            text=text,
            blocks=blocks,
            user=self.workspace.bot_user_id,
            bot_id=self.workspace.bot_id,
            thread_ts=thread_ts,
            via=via,
        )
        conversation.messages.append(message)
        return message

    def store_ephemeral(
        self,
        conversation: Conversation,
        user_id: str,
        text: str,
        blocks: list[dict[str, Any]] | None,
        via: str,
    ) -> Message:
        message = Message(
            channel=conversation.id,
            ts=self.workspace.clock.next(),
            text=text,
            blocks=blocks,
            user=self.workspace.bot_user_id,
            bot_id=self.workspace.bot_id,
            ephemeral_to=user_id,
            via=via,
        )
        self.interactions.ephemerals.append(message)
        return message

    def edit_message(self, message: Message, text: str, blocks: list[dict[str, Any]] | None, by: str) -> None:
        edit(message, text, blocks, time.time(), by)

    def message_json(self, message: Message) -> dict[str, Any]:
        return message.to_api(self.workspace.team_id, self.app_id)
