"""Write pacing measured from request start to request start.

PyGithub's own `seconds_between_writes` waits that long after the previous write *finished*,
so every request's duration is added to the gap and a "0.75 s" pace runs well under 80 writes a
minute. Pacing start-to-start keeps us at the configured rate, and still never above it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class WritePacer:
    def __init__(self, interval: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Block until this write may start."""
        if self.interval <= 0:
            return
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            self._sleep(start - now)
