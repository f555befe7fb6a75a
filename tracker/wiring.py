"""The composition root: the one module of tracker/ that knows the concrete integrations.

Everything else in tracker/ depends on the ports (tracker/sync/ports.py); the API process and
the worker get their adapters from here.
"""

from __future__ import annotations

from typing import Any

from tracker.config import Settings
from tracker.sync.ports import Connection, TargetSpec, TicketSystem, WebhookCodec


def ticket_system_factory(target: TargetSpec, connection: Connection) -> TicketSystem:
    if target.kind == "jira":
        from integrations.jira.client import JiraTickets

        return JiraTickets(target, connection)
    if target.kind == "github":
        from integrations.github.client import GitHubTickets

        kwargs: dict[str, Any] = {}
        return GitHubTickets(target, connection, **kwargs)
    raise ValueError(f"unknown ticket system kind {target.kind!r}")


def webhook_codecs() -> dict[str, WebhookCodec]:
    from integrations.github import webhooks as github
    from integrations.jira import webhooks as jira

    return {
        "jira": WebhookCodec("X-Hub-Signature", jira.verify_signature, jira.parse_notice),
        "github": WebhookCodec("X-Hub-Signature-256", github.verify_signature, github.parse_notice),
    }


def worker_resources(settings: Settings, factory: Any = None) -> dict[str, Any]:
    from tracker.sync.systems import TicketSystems

    return {"settings": settings, "ticket_systems": TicketSystems(settings, factory or ticket_system_factory)}
