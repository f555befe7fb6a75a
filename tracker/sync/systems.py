"""Per-process cache of ticket-system adapters, built by the factory the composition root gives."""

from __future__ import annotations

import json
import threading

from tracker.config import Settings
from tracker.sync.connections import NotConfigured, connection_named, spec_of
from tracker.sync.models import TicketTarget
from tracker.sync.ports import TicketSystem, TicketSystemFactory


class TicketSystems:
    """One adapter (and so one SDK client) per target configuration, reused across messages."""

    def __init__(self, settings: Settings, factory: TicketSystemFactory) -> None:
        self.settings = settings
        self.factory = factory
        self._cache: dict[tuple[object, ...], TicketSystem] = {}
        self._lock = threading.Lock()

    def for_target(self, target: TicketTarget) -> TicketSystem:
        # Keyed by configuration, so an edited target gets a fresh adapter and nothing else does.
        key = (target.id, target.kind, target.connection, target.project, target.issue_type,
               json.dumps(target.mapping or {}, sort_keys=True))
        with self._lock:
            system = self._cache.get(key)
            if system is None:
                connection = connection_named(self.settings, target.connection)
                try:
                    system = self.factory(spec_of(target), connection)
                except ValueError as exc:  # a mapping stored before mappings were checked
                    raise NotConfigured(f"ticket target '{target.name}' has an invalid mapping: {exc}") from exc
                self._cache[key] = system
            return system
