"""The outbox worker: claims due messages, runs their handler, settles them.

Each message is handled in its own transactions (a handler may commit an intent before calling
a vendor and the outcome after), so one slow or failing vendor never holds others back.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tracker.db import transaction
from tracker.outbox import service as outbox
from tracker.outbox.models import OutboxMessage
from tracker.types import utcnow
from tracker.worker.errors import GiveUp, RetryLater

log = logging.getLogger(__name__)
SETTLE_TRIES = 3


@dataclass
class WorkerContext:
    """What handlers get: the database, the clock, and shared per-process resources."""

    session_factory: sessionmaker[Session]
    clock: Callable[[], datetime] = utcnow
    resources: dict[str, Any] = field(default_factory=dict)


class Handler(Protocol):
    def __call__(self, ctx: WorkerContext, message: OutboxMessage) -> None: ...


class GiveUpHook(Protocol):
    """Records, where users look, that a message was given up after its last attempt (e.g. the
    ticket link becomes broken with the reason). Runs in its own transaction."""

    def __call__(self, session: Session, message: OutboxMessage, reason: str) -> None: ...


class SuccessHook(Protocol):
    """Records that a message was delivered (integration health's last successful call). Runs in
    the transaction that marks the message done."""

    def __call__(self, session: Session, message: OutboxMessage, now: datetime) -> None: ...


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Worker:
    def __init__(
        self,
        ctx: WorkerContext,
        handlers: dict[str, Handler],
        *,
        worker_id: str | None = None,
        batch_size: int = 10,
        lease: timedelta = timedelta(seconds=30),
        max_attempts: int = 10,
        backoff_scale: float = 1.0,
        give_up_hooks: dict[str, GiveUpHook] | None = None,
        prompt_kinds: tuple[str, ...] = (),
        on_success: SuccessHook | None = None,
    ) -> None:
        self.ctx = ctx
        self.on_success = on_success
        self.handlers = handlers
        # Kinds someone is waiting on (a click in Slack): claimed before anything else. They
        # come from people, so they cannot keep the rest of the queue waiting for long.
        self.prompt_kinds = prompt_kinds
        self.give_up_hooks = give_up_hooks or {}
        self.worker_id = worker_id or default_worker_id()
        self.batch_size = batch_size
        self.lease = lease
        self.max_attempts = max_attempts
        self.backoff_scale = backoff_scale
        self._in_hand: set[int] = set()
        self._in_hand_lock = threading.Lock()

    def run_once(self) -> int:
        """Claim one batch and handle it; returns how many messages were handled."""
        with transaction(self.ctx.session_factory) as session:
            now = self.ctx.clock()
            claimed = []
            prompt = tuple(k for k in self.prompt_kinds if k in self.handlers)
            if prompt:
                claimed = outbox.claim(session, worker_id=self.worker_id, now=now, limit=self.batch_size,
                                       lease=self.lease, kinds=prompt)
            if len(claimed) < self.batch_size:
                claimed += outbox.claim(session, worker_id=self.worker_id, now=now,
                                        limit=self.batch_size - len(claimed), lease=self.lease,
                                        kinds=tuple(self.handlers))
            session.expunge_all()
        with self._in_hand_lock:
            self._in_hand.update(m.id for m in claimed)
        try:
            for message in claimed:
                try:
                    self._handle(message)
                finally:
                    with self._in_hand_lock:
                        self._in_hand.discard(message.id)
        finally:
            with self._in_hand_lock:
                self._in_hand.difference_update(m.id for m in claimed)
        return len(claimed)

    def reclaim_own_leases(self) -> int:
        """Make the messages this worker id held before a restart claimable at once."""
        with transaction(self.ctx.session_factory) as session:
            released = outbox.release_own(session, worker_id=self.worker_id)
        if released:
            log.info("worker %s took back %d message(s) it held before restarting", self.worker_id, released)
        return released

    def renew_leases(self) -> int:
        """Extend the leases of every message claimed and not yet settled (batch included)."""
        with self._in_hand_lock:
            ids = sorted(self._in_hand)
        if not ids:
            return 0
        with transaction(self.ctx.session_factory) as session:
            return outbox.renew(session, worker_id=self.worker_id, message_ids=ids, now=self.ctx.clock(),
                                lease=self.lease)

    def _keep_leases(self, stop: threading.Event) -> None:
        # Short leases, renewed while a message is in hand: a worker that dies loses its
        # messages to others within one lease, however long a vendor call takes otherwise.
        interval = max(self.lease.total_seconds() / 3, 0.05)
        while not stop.wait(interval):
            try:
                self.renew_leases()
            except Exception:  # noqa: BLE001 - a missed renewal is retried next interval
                log.warning("renewing outbox leases failed; retrying", exc_info=True)

    def run_until_idle(self, max_rounds: int = 10_000) -> int:
        total = 0
        for _ in range(max_rounds):
            handled = self.run_once()
            total += handled
            if not handled:
                break
        return total

    def run_forever(self, stop: threading.Event, idle_sleep: float = 0.5) -> None:
        log.info("worker %s started (handlers: %s)", self.worker_id, ", ".join(sorted(self.handlers)))
        try:
            self.reclaim_own_leases()
        except Exception:  # noqa: BLE001 - the leases then simply run out
            log.warning("could not take back earlier leases", exc_info=True)
        keeper_stop = threading.Event()
        keeper = threading.Thread(target=self._keep_leases, args=(keeper_stop,), name=f"{self.worker_id}-leases",
                                  daemon=True)
        keeper.start()
        try:
            self._loop(stop, idle_sleep)
        finally:
            keeper_stop.set()
            keeper.join(timeout=5)
        log.info("worker %s stopped", self.worker_id)

    def _loop(self, stop: threading.Event, idle_sleep: float) -> None:
        while not stop.is_set():
            try:
                handled = self.run_once()
            except Exception:  # noqa: BLE001 - a database hiccup must not kill the worker
                log.exception("claiming outbox messages failed; retrying shortly")
                handled = 0
            if not handled:
                stop.wait(idle_sleep)

    def _handle(self, message: OutboxMessage) -> None:
        handler = self.handlers[message.kind]
        try:
            handler(self.ctx, message)
        except RetryLater as retry:
            self._retry(message, str(retry), retry.retry_after)
            log.info("outbox %s (%s) will be retried: %s", message.id, message.kind, retry)
        except GiveUp as stop:
            error = str(stop)
            self._settle(lambda s: outbox.give_up(
                s, message_id=message.id, worker_id=self.worker_id, now=self.ctx.clock(), error=error,
            ))
            log.warning("outbox %s (%s) given up: %s", message.id, message.kind, error)
        except Exception as exc:  # noqa: BLE001 - unknown failures are retried, never lost
            log.exception("outbox %s (%s) failed unexpectedly", message.id, message.kind)
            self._retry(message, f"unexpected {type(exc).__name__}: {exc}", None)
        else:
            self._settle(lambda s: self._complete(s, message))

    def _complete(self, session: Session, message: OutboxMessage) -> None:
        now = self.ctx.clock()
        if outbox.complete(session, message_id=message.id, worker_id=self.worker_id, now=now) \
                and self.on_success is not None:
            self.on_success(session, message, now)

    def _retry(self, message: OutboxMessage, error: str, retry_after: float | None) -> None:
        def settle(session: Session) -> None:
            retried = outbox.retry_later(
                session, message=message, worker_id=self.worker_id, now=self.ctx.clock(), error=error,
                retry_after=retry_after, max_attempts=self.max_attempts, backoff_scale=self.backoff_scale,
            )
            if retried:
                return
            # The last attempt failed: never give up in silence. The same transaction marks the
            # message dead and records why where users look (a broken link, a failed nudge).
            reason = f"gave up after {message.attempts} attempts: {error}"
            log.warning("outbox %s (%s) %s", message.id, message.kind, reason)
            hook = self.give_up_hooks.get(message.kind)
            if hook is not None:
                hook(session, message, reason)

        self._settle(settle)

    def _settle(self, action: Callable[[Session], object]) -> None:
        # Recording a result must not be lost to a passing database error (SQLite busy past
        # its timeout, a PostgreSQL failover): a few tries, then the lease runs out and the
        # message is handled again (handlers are safe to run twice).
        for attempt in range(SETTLE_TRIES):
            try:
                with transaction(self.ctx.session_factory) as session:
                    action(session)
                return
            except OperationalError:
                if attempt == SETTLE_TRIES - 1:
                    raise
                log.warning("recording an outbox result failed; retrying", exc_info=True)
                time.sleep(0.5 * (attempt + 1))
