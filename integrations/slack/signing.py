"""Signing and delivering requests the way Slack sends them to an app.

Slack signs every request to an app's Request URL:
    X-Slack-Request-Timestamp: <unix seconds>
    X-Slack-Signature: v0=<hex HMAC-SHA256(signing_secret, "v0:{timestamp}:{raw body}")>
and expects an answer within 3 seconds, otherwise the user sees an `operation_timeout` error.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

ACK_DEADLINE_SECONDS = 3.0


def signature(signing_secret: str, body: bytes, timestamp: int | str) -> str:
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(signing_secret: str, body: bytes, timestamp: int | str | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature(signing_secret, body, ts),
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    }


@dataclass
class Delivery:
    """One request the emulator sent to the app (interactivity, slash command), and its outcome."""

    kind: str  # "block_actions", "view_submission", "slash_command"
    url: str
    headers: dict[str, str]
    body: bytes
    status: int | None = None  # None when the app could not be reached / timed out
    response_body: bytes = b""
    response_headers: dict[str, str] = field(default_factory=dict)
    error: str | None = None  # what Slack would show the user: operation_timeout, http_service_error...
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.error is None


# No proxies: the app under test lives on loopback, and HTTP(S)_PROXY must not capture it.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def deliver(kind: str, url: str, body: bytes, headers: dict[str, str]) -> Delivery:
    delivery = Delivery(kind=kind, url=url, headers=headers, body=body)
    started = time.monotonic()
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=ACK_DEADLINE_SECONDS) as reply:
            delivery.status = reply.status
            delivery.response_body = reply.read()
            delivery.response_headers = dict(reply.headers.items())
    except urllib.error.HTTPError as err:
        delivery.status = err.code
        delivery.response_body = err.read()
        delivery.response_headers = dict(err.headers.items())
        delivery.error = "http_service_error"  # Slack's wording for a non-200 answer
    except TimeoutError:
        delivery.error = "operation_timeout"
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        delivery.error = "operation_timeout" if isinstance(reason, TimeoutError) else "dispatch_failed"
    delivery.elapsed = time.monotonic() - started
    return delivery
