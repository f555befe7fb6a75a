"""SlackMessenger: the tracker's Messenger port on the real slack-sdk WebClient.

Retries are chosen per risk, not inherited (WebClient's default retries any connection error
once, which re-posts a chat.postMessage whose reply was lost: Slack has no idempotency key):
- 429 `ratelimited` means Slack refused the call, so a retry can never duplicate: the client
  sleeps the Retry-After in-process, but only when it is short (`max_retry_delay`); a longer one
  becomes MessengerTransient(retry_after) and the worker reschedules instead of parking a thread.
- Connection errors are retried once for calls that are safe to repeat (look-ups,
  conversations.open, chat.update overwrites with the same content), never for chat.postMessage.
  A post whose outcome is unknown goes back to the worker as MessengerTransient, and the nudge
  handler decides (see tracker/nudges/delivery.py for that window).
Error codes map onto the port's errors; messages carry Slack's code, never the token.
"""

from __future__ import annotations

import http.client
import socket
import urllib.error
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.webhook import WebhookClient

from integrations.slack.message_blocks import digest_blocks, digest_text, nudge_blocks, nudge_text
from tracker.messaging.ports import (
    DigestReport,
    MessengerAuthFailed,
    MessengerError,
    MessengerTransient,
    NudgeMessage,
    Posted,
    RecipientNotFound,
    RecipientUnavailable,
)

AUTH_ERRORS = frozenset({"invalid_auth", "token_revoked", "account_inactive", "not_authed",
                         "token_expired", "no_permission", "missing_scope", "ekm_access_denied"})
# Also what chat.update answers when the message is gone or can no longer be edited: the
# caller stops keeping that message up to date instead of retrying.
UNAVAILABLE_ERRORS = frozenset({"user_disabled", "channel_not_found", "not_in_channel", "is_archived",
                                "user_not_found", "cannot_dm_bot", "user_not_visible",
                                "message_not_found", "cant_update_message", "edit_window_closed"})
NOT_FOUND_ERRORS = frozenset({"users_not_found"})
TRANSIENT_ERRORS = frozenset({"ratelimited", "rate_limited", "fatal_error", "internal_error",
                              "service_unavailable", "request_timeout"})
NOT_REPEATABLE = ("chat.postMessage",)  # writes that create something: never re-sent blindly
CONNECTION_ERRORS = (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError,
                     socket.timeout, OSError)


class ShortRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """Sleep out a 429's Retry-After in-process only when it is short."""

    def __init__(self, max_retry_count: int = 2, max_wait: float = 5.0) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait = max_wait

    def _can_retry(self, *, state: RetryState, request: HttpRequest,
                   response: HttpResponse | None = None, error: Exception | None = None) -> bool:
        if response is None or response.status_code != 429:
            return False
        return _retry_after(response.headers) <= self.max_wait


class RepeatableConnectionErrorRetryHandler(ConnectionErrorRetryHandler):
    """One retry after a connection error, only for calls that are safe to send twice."""

    def _can_retry(self, *, state: RetryState, request: HttpRequest,
                   response: HttpResponse | None = None, error: Exception | None = None) -> bool:
        if request.url.rstrip("/").endswith(NOT_REPEATABLE):
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


def _retry_after(headers: Any) -> float:
    for key, value in (headers or {}).items():
        if key.lower() == "retry-after":
            raw = value[0] if isinstance(value, list | tuple) else value
            try:
                return float(raw)
            except (TypeError, ValueError):
                return 1.0
    return 1.0


def retry_handlers(max_retry_delay: float = 5.0) -> list[RetryHandler]:
    return [ShortRateLimitRetryHandler(max_wait=max_retry_delay), RepeatableConnectionErrorRetryHandler()]


def translate(err: Exception, what: str) -> MessengerError:
    """A slack-sdk or network failure as the port's error (what the worker should do next)."""
    if isinstance(err, SlackApiError):
        code = str(err.response.get("error") or "") if err.response is not None else ""
        status = err.response.status_code if err.response is not None else 0
        if code in AUTH_ERRORS:
            return MessengerAuthFailed(f"{what}: Slack refused our token ({code})")
        if code in NOT_FOUND_ERRORS:
            return RecipientNotFound(f"{what}: no Slack user with that email ({code})")
        if code in UNAVAILABLE_ERRORS:
            return RecipientUnavailable(f"{what}: {code}")
        if status == 429 or code in TRANSIENT_ERRORS or status >= 500:
            retry_after = _retry_after(err.response.headers) if status == 429 else None
            return MessengerTransient(f"{what}: Slack answered {status} {code or ''}".strip(),
                                      retry_after=retry_after)
        return MessengerError(f"{what}: Slack error {code or status}")
    if isinstance(err, CONNECTION_ERRORS):
        return MessengerTransient(f"{what}: no answer from Slack ({type(err).__name__})")
    if isinstance(err, SlackClientError):
        return MessengerError(f"{what}: {type(err).__name__}")
    raise err


class SlackMessenger:
    """Messenger over the Slack Web API (bot token: chat:write, im:write, users:read.email)."""

    def __init__(self, token: str, *, base_url: str = "https://slack.com/api/", timeout: int = 10,
                 max_retry_delay: float = 5.0, client: WebClient | None = None) -> None:
        self.client = client or WebClient(token, base_url=base_url, timeout=timeout,
                                          retry_handlers=retry_handlers(max_retry_delay))

    def _call(self, method: str, **kwargs: Any) -> Any:
        """Call a Web API method by its SDK name ("chat.postMessage" -> chat_postMessage)."""
        call = getattr(self.client, method.replace(".", "_"))
        try:
            return call(**kwargs)
        except Exception as err:  # noqa: BLE001 - translate() re-raises what it does not know
            raise translate(err, method) from None

    # -- Messenger --------------------------------------------------------------------------
    def find_user(self, *, slack_user_id: str | None, email: str | None) -> str:
        if slack_user_id:
            return slack_user_id  # stored ids are trusted; a stale one fails on conversations.open
        if not email:
            raise RecipientNotFound("no Slack id and no email to look one up")
        reply = self._call("users.lookupByEmail", email=email)
        user = reply.get("user") or {}
        if user.get("deleted"):
            raise RecipientUnavailable("users.lookupByEmail: the Slack account is deactivated")
        return str(user["id"])

    def send_nudge(self, user_id: str, message: NudgeMessage) -> Posted:
        opened = self._call("conversations.open", users=user_id)
        channel = str(opened["channel"]["id"])
        return self._post(channel, message)

    def post_nudge_to_channel(self, channel: str, message: NudgeMessage) -> Posted:
        return self._post(channel, message)

    def update_nudge(self, posted: Posted, message: NudgeMessage) -> None:
        self._call("chat.update", channel=posted.channel, ts=posted.ts,
                   text=nudge_text(message), blocks=nudge_blocks(message))

    def post_digest(self, channel: str, digest: DigestReport) -> Posted:
        reply = self._call("chat.postMessage", channel=channel,
                           text=digest_text(digest), blocks=digest_blocks(digest), unfurl_links=False)
        return Posted(channel=str(reply["channel"]), ts=str(reply["ts"]))

    def _post(self, channel: str, message: NudgeMessage) -> Posted:
        reply = self._call("chat.postMessage", channel=channel,
                           text=nudge_text(message), blocks=nudge_blocks(message), unfurl_links=False)
        return Posted(channel=str(reply["channel"]), ts=str(reply["ts"]))


def respond(response_url: str, body: dict[str, Any], *, timeout: int = 10) -> None:
    """POST an answer to an interaction's response_url (no token: the URL is the credential).

    Never retried in-process: the worker retries transient failures (a duplicate ephemeral
    note is harmless; the URL takes 5 uses in 30 minutes).
    """
    try:
        reply = WebhookClient(response_url, timeout=timeout, retry_handlers=[]).send_dict(body)
    except CONNECTION_ERRORS as err:
        raise MessengerTransient(f"response_url: no answer ({type(err).__name__})") from None
    if reply.status_code == 429 or reply.status_code >= 500:
        raise MessengerTransient(f"response_url answered {reply.status_code}")
    if reply.status_code != 200:
        raise RecipientUnavailable(f"response_url answered {reply.status_code} {reply.body[:100]}")
