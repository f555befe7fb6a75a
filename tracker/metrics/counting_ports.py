"""What the counting needs from a ticket system, and one counter per configured connection.

A counter answers "how many issues does this query find that were created between these two
days" in one vendor call (integrations/jira/counting.py, integrations/github/counting.py). It
raises the sync port's errors (tracker.sync.ports): Transient to retry later, Rejected when the
vendor refuses the query (its message is safe to show), AccessRevoked for refused credentials.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Protocol

from tracker.config import Settings
from tracker.sync.connections import NotConfigured, connection_named
from tracker.sync.ports import Connection


class TicketCounter(Protocol):
    def count(self, query: str, *, first_day: date, last_day: date) -> int:
        """Issues the query finds that were created from `first_day` to `last_day` inclusive."""
        ...


class CounterFactory(Protocol):
    def __call__(self, kind: str, connection: Connection) -> TicketCounter: ...


class TicketCounters:
    """One counter (and so one SDK client) per connection name, reused across messages."""

    def __init__(self, settings: Settings, factory: CounterFactory) -> None:
        self.settings = settings
        self.factory = factory
        self._cache: dict[tuple[str, str], TicketCounter] = {}
        self._lock = threading.Lock()

    def for_connection(self, kind: str, name: str) -> TicketCounter:
        """Raises NotConfigured (tracker.sync.connections) when the connection is unknown."""
        with self._lock:
            counter = self._cache.get((kind, name))
            if counter is None:
                connection = connection_named(self.settings, name)
                if connection.kind != kind:
                    raise NotConfigured(f"connection '{name}' is a {connection.kind} connection, "
                                     f"not {kind}")
                counter = self._cache[(kind, name)] = self.factory(kind, connection)
            return counter
