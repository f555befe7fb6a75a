"""Webhook delivery for the Jira emulator: signed, asynchronous, retried, and steerable by tests.

Real Jira delivers from its own queue, late, sometimes twice (same identifier), sometimes out of
order, and gives up after a while. Tests need to produce each of those on purpose, so the queue
can be paused, reordered, drained, and single events dropped or redelivered.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


def sign(secret: str, body: bytes) -> str:
    """The `X-Hub-Signature` value Jira sends for admin webhooks that have a secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class Attempt:
    at: float  # time.time()
    status: int | None  # HTTP status, None when the connection failed
    error: str | None = None


@dataclass
class WebhookDelivery:
    identifier: str  # X-Atlassian-Webhook-Identifier: the receiver's de-duplication key
    event: str  # "jira:issue_created" | "jira:issue_updated" | "jira:issue_deleted"
    issue_key: str
    body: bytes
    redelivery: bool = False
    state: str = "pending"  # pending | delivered | failed | dropped | unsent (no webhook_url)
    attempts: list[Attempt] = field(default_factory=list)
    not_before: float = 0.0

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.body)


class WebhookDispatcher:
    """Queue + background sender. All public methods are thread-safe."""

    def __init__(self, retry_delays: tuple[float, ...] = (0.05, 0.2, 0.5), timeout: float = 5.0) -> None:
        self.url: str | None = None
        self.secret: str | None = None
        self.retry_delays = retry_delays  # Jira retries failed deliveries; these are scaled down
        self.timeout = timeout
        self.log: list[WebhookDelivery] = []  # every delivery ever queued, dropped or redelivered
        self._queue: list[WebhookDelivery] = []
        self._in_flight = 0
        self._paused = False
        self._drop_next = 0
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False

    # -- configuration and lifecycle ---------------------------------------------------------------
    def configure(self, url: str | None, secret: str | None = None) -> None:
        with self._cond:
            self.url, self.secret = url, secret

    def start(self) -> None:
        with self._cond:
            if self._thread is None:
                self._stopping = False
                self._thread = threading.Thread(target=self._run, name="jira-webhooks", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=self.timeout + 1)

    # -- producing ---------------------------------------------------------------------------------
    def emit(self, event: str, issue_key: str, payload: dict[str, Any]) -> WebhookDelivery:
        body = json.dumps(payload).encode()
        delivery = WebhookDelivery(str(uuid.uuid4()), event, issue_key, body)
        with self._cond:
            self.log.append(delivery)
            if self._drop_next > 0:
                self._drop_next -= 1
                delivery.state = "dropped"  # a missed webhook: never sent, never retried
            elif self.url is None:
                delivery.state = "unsent"
            else:
                self._queue.append(delivery)
                self._cond.notify_all()
        return delivery

    # -- test controls -----------------------------------------------------------------------------
    def pause(self) -> None:
        with self._cond:
            self._paused = True

    def resume(self) -> None:
        with self._cond:
            self._paused = False
            self._cond.notify_all()

    def drop_next(self, count: int = 1) -> None:
        """The next `count` events are lost (Jira outage, receiver down past the retry window)."""
        with self._cond:
            self._drop_next += count

    def redeliver(self, identifier: str) -> WebhookDelivery:
        """Send a logged delivery again with the same identifier and the same bytes."""
        with self._cond:
            original = next(d for d in self.log if d.identifier == identifier)
            again = WebhookDelivery(
                identifier, original.event, original.issue_key, original.body, redelivery=True
            )
            self.log.append(again)
            self._queue.append(again)
            self._cond.notify_all()
            return again

    def reverse_pending(self) -> None:
        """Out-of-order delivery: pause, make changes, reverse, resume."""
        with self._cond:
            self._queue.reverse()

    def shuffle_pending(self, seed: int = 1) -> None:
        with self._cond:
            random.Random(seed).shuffle(self._queue)

    @property
    def pending(self) -> list[WebhookDelivery]:
        with self._cond:
            return list(self._queue)

    @property
    def delivered(self) -> list[WebhookDelivery]:
        with self._cond:
            return [d for d in self.log if d.state == "delivered"]

    def drain(self, timeout: float = 5.0) -> bool:
        """Wait until nothing is queued or in flight; False on timeout (e.g. while paused)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue or self._in_flight:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.05))
            return True

    # -- sending -----------------------------------------------------------------------------------
    def _next(self) -> WebhookDelivery | None:
        """Under the lock: the first due delivery, or None after waiting a little."""
        if not self._paused:
            now = time.monotonic()
            for index, delivery in enumerate(self._queue):
                if delivery.not_before <= now:
                    self._in_flight += 1
                    return self._queue.pop(index)
        self._cond.wait(0.05)
        return None

    def _run(self) -> None:
        while True:
            with self._cond:
                if self._stopping:
                    return
                delivery = self._next()
                url, secret = self.url, self.secret
            if delivery is None:
                continue
            attempt = self._post(delivery, url, secret)
            with self._cond:
                self._in_flight -= 1
                delivery.attempts.append(attempt)
                if attempt.status is not None and 200 <= attempt.status < 300:
                    delivery.state = "delivered"
                elif len(delivery.attempts) <= len(self.retry_delays):
                    delivery.not_before = time.monotonic() + self.retry_delays[len(delivery.attempts) - 1]
                    self._queue.append(delivery)
                else:
                    delivery.state = "failed"
                self._cond.notify_all()

    def _post(self, delivery: WebhookDelivery, url: str | None, secret: str | None) -> Attempt:
        if url is None:
            return Attempt(time.time(), None, "no webhook_url")
        parts = urlsplit(url)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Atlassian Webhook HTTP Client",
            "X-Atlassian-Webhook-Identifier": delivery.identifier,
            "X-Atlassian-Webhook-Retry": str(len(delivery.attempts)),
        }
        if secret:
            headers["X-Hub-Signature"] = sign(secret, delivery.body)
        # http.client directly: no proxy environment variables, no retries of our own.
        connection = http.client.HTTPConnection(
            parts.hostname or "127.0.0.1", parts.port or 80, timeout=self.timeout
        )
        try:
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            connection.request("POST", path or "/", body=delivery.body, headers=headers)
            response = connection.getresponse()
            response.read()
            return Attempt(time.time(), response.status)
        except OSError as exc:
            return Attempt(time.time(), None, repr(exc))
        finally:
            connection.close()
