"""Turning configured connections (environment only) into what adapters need."""

from __future__ import annotations

from tracker.config import Settings
from tracker.sync.models import TicketTarget
from tracker.sync.ports import Connection, TargetSpec


class NotConfigured(Exception):
    pass


def connection_named(settings: Settings, name: str) -> Connection:
    configured = settings.connections.get(name)
    if configured is None:
        raise NotConfigured(
            f"connection '{name}' is not configured: set TRACKER_CONNECTIONS__{name.upper()}__URL, "
            "__KIND and __TOKEN"
        )
    return Connection(
        kind=configured.kind,
        url=configured.url,
        user=configured.user,
        token=configured.token.get_secret_value(),
        webhook_secret=configured.webhook_secret.get_secret_value() if configured.webhook_secret else None,
        bot_identity=configured.bot_identity,
        seconds_between_writes=configured.seconds_between_writes,
        seconds_between_requests=configured.seconds_between_requests,
        max_retry_delay=configured.max_retry_delay,
    )


def spec_of(target: TicketTarget) -> TargetSpec:
    return TargetSpec(kind=target.kind.value, project=target.project, issue_type=target.issue_type,
                      mapping=dict(target.mapping or {}))
