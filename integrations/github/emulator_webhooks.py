"""Webhook deliveries as GitHub makes them: signed, asynchronous, never retried on their own.

A background thread posts queued deliveries so API replies never wait for the receiver.
Tests steer the queue: pause it, reorder it (out-of-order delivery), drop entries (missed
webhooks), redeliver old ones (same `X-GitHub-Delivery`), and drain it before asserting.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.client import HTTPConnection, HTTPSConnection
from typing import Any
from urllib.parse import urlsplit


def signature(secret: str, body: bytes) -> str:
    """`X-Hub-Signature-256` value: HMAC-SHA256 of the raw body, hex, prefixed with sha256=."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class Attempt:
    at: float
    status: int | None  # HTTP status, None when the connection failed
    error: str | None = None
    redelivery: bool = False


@dataclass
class Delivery:
    id: str  # the X-GitHub-Delivery GUID, kept on redelivery
    event: str  # X-GitHub-Event, e.g. "issues"
    action: str
    payload: dict[str, Any]
    body: bytes
    state: str = "pending"  # pending | delivered | failed | dropped | skipped (no URL set)
    attempts: list[Attempt] = field(default_factory=list)

    def json(self) -> Any:
        return json.loads(self.body)



class WebhookDispatcher:
    def __init__(self, url: str | None = None, secret: str | None = None, timeout: float = 10.0):
        self.url, self.secret, self.timeout = url, secret, timeout
        self.deliveries: list[Delivery] = []  # the log, in creation order
        self._queue: list[tuple[Delivery, bool]] = []  # (delivery, is_redelivery)
        self._cond = threading.Condition()
        self._paused = False
        self._in_flight = 0
        self._drop_next = 0
        self._closed = False
        self._thread: threading.Thread | None = None

    def _ensure_thread(self) -> None:
        # Started lazily (and again after close) so idle emulators cost no thread.
        self._closed = False  # a thread still waiting on the condition simply carries on
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, daemon=True, name="gh-webhooks")
            self._thread.start()

    def close(self) -> None:
        """Stop the delivery thread; queued deliveries stay queued for a later start."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    # -- producing ---------------------------------------------------------------------------
    def emit(self, event: str, payload: dict[str, Any]) -> Delivery:
        body = json.dumps(payload).encode()
        delivery = Delivery(str(uuid.uuid4()), event, str(payload.get("action")), payload, body)
        with self._cond:
            self.deliveries.append(delivery)
            if self._drop_next > 0:
                self._drop_next -= 1
                delivery.state = "dropped"
            elif self.url is None:
                delivery.state = "skipped"
            else:
                self._queue.append((delivery, False))
                self._ensure_thread()
                self._cond.notify_all()
        return delivery

    # -- test controls -----------------------------------------------------------------------
    def pause(self) -> None:
        with self._cond:
            self._paused = True

    def resume(self) -> None:
        with self._cond:
            self._paused = False
            if self._queue:
                self._ensure_thread()
            self._cond.notify_all()

    def drain(self, timeout: float = 5.0) -> bool:
        """Wait until nothing is queued or in flight (a paused queue never drains)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue or self._in_flight:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def pending(self) -> list[Delivery]:
        with self._cond:
            return [delivery for delivery, _ in self._queue]

    def reorder(self, delivery_ids: list[str]) -> None:
        """Send queued deliveries in this order (ids not listed keep their order, after them)."""
        with self._cond:
            rank = {d_id: i for i, d_id in enumerate(delivery_ids)}
            self._queue.sort(key=lambda item: rank.get(item[0].id, len(rank)))

    def reverse(self) -> None:
        with self._cond:
            self._queue.reverse()

    def drop(self, delivery_id: str) -> None:
        """Never deliver this queued delivery: a webhook GitHub "missed"."""
        with self._cond:
            for item in list(self._queue):
                if item[0].id == delivery_id:
                    self._queue.remove(item)
                    item[0].state = "dropped"
            self._cond.notify_all()

    def drop_next(self, count: int = 1) -> None:
        with self._cond:
            self._drop_next += count

    def redeliver(self, delivery_id: str) -> Delivery:
        """Queue the same body again under the same GUID, as GitHub's "Redeliver" button does."""
        with self._cond:
            delivery = next(d for d in self.deliveries if d.id == delivery_id)
            self._queue.append((delivery, True))
            self._ensure_thread()
            self._cond.notify_all()
            return delivery

    # -- delivering --------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._closed and (self._paused or not self._queue):
                    self._cond.wait()
                if self._closed:
                    return
                delivery, redelivery = self._queue.pop(0)
                self._in_flight += 1
                url, secret = self.url, self.secret
            try:
                attempt = self._post(delivery, url, secret, redelivery)
            except Exception as exc:  # keep the thread alive whatever happens
                attempt = Attempt(time.time(), None, repr(exc), redelivery)
            with self._cond:
                # Record before leaving flight, so drain() returning means the log is final.
                delivery.attempts.append(attempt)
                ok = attempt.status is not None and 200 <= attempt.status < 300
                delivery.state = "delivered" if ok else "failed"
                self._in_flight -= 1
                self._cond.notify_all()

    def _post(
        self, delivery: Delivery, url: str | None, secret: str | None, redelivery: bool
    ) -> Attempt:
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "GitHub-Hookshot/emulator",
            "X-GitHub-Event": delivery.event,
            "X-GitHub-Delivery": delivery.id,
            "X-GitHub-Hook-ID": "1",
        }
        if secret:
            headers["X-Hub-Signature-256"] = signature(secret, delivery.body)
            headers["X-Hub-Signature"] = "sha1=" + hmac.new(
                secret.encode(), delivery.body, hashlib.sha1
            ).hexdigest()
        if url is None:
            return Attempt(time.time(), None, "no webhook URL configured", redelivery)
        # http.client rather than urllib: it keeps header names spelled exactly as GitHub's.
        parts = urlsplit(url)
        connection_class = HTTPSConnection if parts.scheme == "https" else HTTPConnection
        connection = connection_class(parts.netloc, timeout=self.timeout)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request("POST", target, delivery.body, headers)
            reply = connection.getresponse()
            reply.read()
            return Attempt(time.time(), reply.status, None, redelivery)
        except OSError as exc:  # refused, reset, timed out: GitHub logs it and moves on
            return Attempt(time.time(), None, repr(exc), redelivery)
        finally:
            connection.close()
