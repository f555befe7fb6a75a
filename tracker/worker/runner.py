"""The outbox worker: claims due messages, runs their handler, settles them.

Each message is handled in its own transactions (a handler may commit an intent before calling
a vendor and the outcome after), so one slow or failing vendor never holds others back.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from tracker.db import transaction
from tracker.outbox import service as outbox
from tracker.outbox.models import OutboxMessage
from tracker.types import utcnow
from tracker.worker.errors import GiveUp, RetryLater

log = logging.getLogger(__name__)


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
        lease: timedelta = timedelta(minutes=5),
        max_attempts: int = 10,
        backoff_scale: float = 1.0,
        give_up_hooks: dict[str, GiveUpHook] | None = None,
    ) -> None:
        self.ctx = ctx
        self.handlers = handlers
        self.give_up_hooks = give_up_hooks or {}
        self.worker_id = worker_id or default_worker_id()
        self.batch_size = batch_size
        self.lease = lease
        self.max_attempts = max_attempts
        self.backoff_scale = backoff_scale

    def run_once(self) -> int:
        """Claim one batch and handle it; returns how many messages were handled."""
        with transaction(self.ctx.session_factory) as session:
            claimed = outbox.claim(
                session, worker_id=self.worker_id, now=self.ctx.clock(), limit=self.batch_size,
                lease=self.lease, kinds=tuple(self.handlers),
            )
            session.expunge_all()
        for message in claimed:
            self._handle(message)
        return len(claimed)

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
        while not stop.is_set():
            try:
                handled = self.run_once()
            except Exception:  # noqa: BLE001 - a database hiccup must not kill the worker
                log.exception("claiming outbox messages failed; retrying shortly")
                handled = 0
            if not handled:
                stop.wait(idle_sleep)
        log.info("worker %s stopped", self.worker_id)

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
            self._settle(lambda s: outbox.complete(
                s, message_id=message.id, worker_id=self.worker_id, now=self.ctx.clock()
            ))

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
        with transaction(self.ctx.session_factory) as session:
            action(session)
