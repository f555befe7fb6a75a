"""SQLite's one writer at a time, taken in turn: a first-come queue, with prompt writes first.

SQLite lets one connection write at a time. A writer that finds the database locked sleeps and
polls (busy_timeout): whoever polls at the right moment goes next, so under a burst some
writers win again and again while others wait many seconds. Inside one process the writers
queue here instead, in arrival order, before they BEGIN IMMEDIATE; when one finishes, the next
in line is handed the turn directly. Other processes on the same file (a CLI command) still meet
SQLite's own wait.

Writes that something outside is timing (a Slack click must be answered within 3 s, a GitHub
webhook within 10 s) are marked prompt (`prompt_writes`) and go ahead of the others; they are
single short inserts, so the others lose little.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_prompt: ContextVar[bool] = ContextVar("tracker_prompt_write", default=False)


@contextmanager
def prompt_writes() -> Iterator[None]:
    """Writes made in this context (and in threads started from it by AnyIO) go first."""
    token = _prompt.set(True)
    try:
        yield
    finally:
        _prompt.reset(token)


def is_prompt() -> bool:
    return _prompt.get()


class WriterQueue:
    """A lock handed to waiters in arrival order, prompt waiters first."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held = False
        self._prompt: deque[threading.Event] = deque()
        self._others: deque[threading.Event] = deque()

    def acquire(self, timeout: float, *, prompt: bool = False) -> bool:
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            turn = threading.Event()
            (self._prompt if prompt else self._others).append(turn)
        if turn.wait(timeout):
            return True
        with self._mutex:
            if turn.is_set():  # handed the turn just as the wait ran out
                return True
            (self._prompt if prompt else self._others).remove(turn)
            return False

    def release(self) -> None:
        with self._mutex:
            waiting = self._prompt or self._others
            if waiting:
                waiting.popleft().set()  # the turn passes directly: nobody can slip in between
            else:
                self._held = False

    def waiting(self) -> int:
        with self._mutex:
            return len(self._prompt) + len(self._others)


_queues: dict[str, WriterQueue] = {}
_queues_lock = threading.Lock()


def queue_for(database: str) -> WriterQueue:
    """One queue per database file, shared by every engine of this process on that file."""
    with _queues_lock:
        return _queues.setdefault(database, WriterQueue())
