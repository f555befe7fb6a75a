"""A Slack Web API emulator for the tracker's tests, benchmarks and the `make run` sandbox.

Drive it with the real client: `WebClient(token, base_url=emulator.url + "/api/")`.
Web API calls are `POST /api/<method>`; the sandbox page is `GET /sandbox`; response URLs handed
to the app are `POST /response/<token>`. See the report in the PR / module docstrings of
web_api.py (methods and errors), interactivity.py (payloads) and emulator_sandbox.py (page).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from integrations.emulation import Emulator, Request, Response
from integrations.slack import signing
from integrations.slack.interactivity import Interactions
from integrations.slack.ratelimit import RateLimiter, Violation
from integrations.slack.views import View, Views
from integrations.slack.web_api import SlackError, WebApi, edit, ratelimited, read_args
from integrations.slack.workspace import Conversation, Message, Token, User, Workspace

API_PREFIX = "/api/"


def stop_quickly(emulator: Emulator) -> None:
    """Emulator.stop() without the up-to-0.5 s wait for serve_forever's poll to notice.

    shutdown() only takes effect when the server loop wakes; a throwaway connection wakes it at
    once, which takes ~0.5 s off every test's teardown. (Suggested base change: serve_forever
    with a short poll_interval.)
    """
    server = emulator._server
    if server is None:
        return
    address = server.server_address
    stopper = threading.Thread(target=server.shutdown, daemon=True)
    stopper.start()
    while stopper.is_alive():
        with contextlib.suppress(OSError):
            socket.create_connection((str(address[0]), int(address[1])), timeout=0.2).close()
        stopper.join(0.01)
    server.server_close()
    emulator._server = None


@dataclass
class ApiCall:
    """One Web API request as the emulator saw it (faults that drop before handling are absent)."""

    method: str
    args: dict[str, Any]
    status: int
    error: str | None  # Slack error code, None on success


class SlackEmulator(Emulator):
    rate_limit_status = 429

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

    def stop(self) -> None:
        stop_quickly(self)

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

    # -- HTTP hooks --------------------------------------------------------------------------
    def rate_limited_response(self, request: Request) -> Response:
        return ratelimited(self.fault_retry_after).response()

    def server_error_response(self, request: Request) -> Response:
        # Slack's edge answers 5xx with a small body; slack-sdk raises SlackApiError (status 503).
        return Response(503, {"ok": False, "error": "service_unavailable"})

    def not_found_response(self, request: Request) -> Response:
        return Response(404, "Not Found", {"Content-Type": "text/plain"})

    def authenticate(self, request: Request) -> Response | None:
        if not request.path.startswith(API_PREFIX):
            return None  # the sandbox and response URLs are not token-authenticated
        token = self._token(request)
        if token is None:
            return SlackError("not_authed").response()
        record = self.workspace.tokens.get(token)
        if record is None:
            return SlackError("invalid_auth").response()
        if record.revoked:
            return SlackError("token_revoked").response()
        if record.inactive:
            return SlackError("account_inactive").response()
        return None

    def before(self, request: Request) -> Response | None:
        if not request.path.startswith(API_PREFIX):
            return None
        retry_after = self.limiter.check_method(self._token(request) or "", request.path[len(API_PREFIX) :])
        return ratelimited(retry_after).response() if retry_after is not None else None

    def handle(self, request: Request) -> Response:
        response = super().handle(request)
        if request.path.startswith(API_PREFIX):
            self._record_call(request, response)
        return response

    def _api(self, request: Request) -> Response:
        method = request.params["method"]
        handler = self.api.methods.get(method)
        if handler is None:
            return Response(200, {"ok": False, "error": "unknown_method", "req_method": method})
        try:
            with self.lock:
                return Response(200, {"ok": True, **handler(read_args(request))})
        except SlackError as err:
            return err.response()

    def _token(self, request: Request) -> str | None:
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("bearer ") and auth[7:].strip():
            return auth[7:].strip()
        try:
            token = read_args(request).get("token")  # Slack still takes `token=` in form bodies
        except SlackError:
            return None
        return str(token) if token else None

    def _record_call(self, request: Request, response: Response) -> None:
        method = request.path[len(API_PREFIX) :]
        try:
            args = read_args(request)
        except SlackError:
            args = {}
        body = response.body if isinstance(response.body, dict) else {}
        with self.lock:
            self.request_counts[method] += 1
            self.calls.append(ApiCall(method, args, response.status, body.get("error")))
