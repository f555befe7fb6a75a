"""The composition root: the one module of tracker/ that knows the concrete integrations.

Everything else in tracker/ depends on the ports (tracker/sync/ports.py); the API process and
the worker get their adapters from here.
"""

from __future__ import annotations

from typing import Any

from tracker.config import Settings
from tracker.sync.ports import Connection, TargetSpec, TicketSystem, WebhookCodec


def ticket_system_factory(target: TargetSpec, connection: Connection) -> TicketSystem:
    """The adapter for a target, tuned by its connection's settings (pacing, retry sleeps)."""
    delay = connection.max_retry_delay
    if target.kind == "jira":
        from integrations.jira.client import JiraTickets

        if delay is None:
            return JiraTickets(target, connection)
        return JiraTickets(target, connection, max_retry_delay=delay)
    if target.kind == "github":
        from integrations.github.client import GitHubTickets
        from integrations.github.errors import default_retry

        kwargs: dict[str, Any] = {"seconds_between_writes": connection.seconds_between_writes,
                                  "seconds_between_requests": connection.seconds_between_requests}
        if delay is not None:
            # urllib3 sleeps backoff_factor * 2**(n-1) before retry n (n <= 3): at most 4x the
            # factor. A Retry-After above `delay` becomes Transient(retry_after) for the worker.
            kwargs["retry"] = default_retry(backoff_factor=min(0.5, delay / 4),
                                            max_rate_limit_wait=min(30.0, delay))
        return GitHubTickets(target, connection, **kwargs)
    raise ValueError(f"unknown ticket system kind {target.kind!r}")


def ticket_counter_factory(kind: str, connection: Connection) -> Any:
    """The counter of issues per period for counted metrics (tracker.metrics.counting_ports),
    built from the connection's settings like the ticket adapters (pacing, retry sleeps)."""
    delay = connection.max_retry_delay
    if kind == "jira":
        from integrations.jira.counting import JiraCounter

        return JiraCounter(connection) if delay is None else JiraCounter(connection, max_retry_delay=delay)
    if kind == "github":
        from integrations.github.counting import GitHubCounter
        from integrations.github.errors import default_retry

        kwargs: dict[str, Any] = {"seconds_between_requests": connection.seconds_between_requests}
        if delay is not None:
            kwargs["retry"] = default_retry(backoff_factor=min(0.5, delay / 4),
                                            max_rate_limit_wait=min(30.0, delay))
        return GitHubCounter(connection, **kwargs)
    raise ValueError(f"unknown ticket system kind {kind!r}")


def check_mapping(kind: str, mapping: dict[str, Any]) -> None:
    """Raises ValueError naming what is wrong with a target's field mapping for its system."""
    if kind == "jira":
        from integrations.jira.mapping import JiraMapping

        JiraMapping.from_overrides(mapping)
    elif kind == "github":
        from integrations.github.mapping import GitHubMapping

        GitHubMapping.from_overrides(mapping)


def webhook_codecs() -> dict[str, WebhookCodec]:
    from integrations.github import webhooks as github
    from integrations.jira import webhooks as jira

    return {
        "jira": WebhookCodec("X-Hub-Signature", jira.verify_signature, jira.parse_notice),
        "github": WebhookCodec("X-Hub-Signature-256", github.verify_signature, github.parse_notice),
    }


def messenger_factory(settings: Settings) -> Any:
    """The Slack messenger for the configured app (None when Slack is not configured)."""
    if settings.slack is None:
        return None
    from integrations.slack.client import SlackMessenger

    return SlackMessenger(settings.slack.bot_token.get_secret_value(), base_url=settings.slack.base_url)


def slack_codec() -> Any:
    """Checks and reads Slack's signed requests (tracker.messaging.ports.InteractionCodec)."""
    from integrations.slack.requests import SlackInteractionCodec

    return SlackInteractionCodec()


def worker_resources(settings: Settings, factory: Any = None, messenger: Any = None) -> dict[str, Any]:
    from tracker.sync.systems import TicketSystems

    resources: dict[str, Any] = {"settings": settings,
                                 "ticket_systems": TicketSystems(settings, factory or ticket_system_factory)}
    from tracker.metrics.counting_ports import TicketCounters

    resources["ticket_counters"] = TicketCounters(settings, ticket_counter_factory)
    messenger = messenger or messenger_factory(settings)
    if messenger is not None:
        from integrations.slack.client import respond

        resources["messenger"] = messenger
        resources["slack_respond"] = respond
    return resources


def start_sandbox(settings: Settings, api_base: str) -> tuple[Any, list[str]]:
    """Emulated Jira and GitHub for `make run`, unless real connections are configured."""
    if settings.connections:
        return None, ["Ticket sync:  using the configured connections: " + ", ".join(sorted(settings.connections))]
    from integrations.sandbox import Sandbox

    sandbox = Sandbox(settings, api_base=api_base, jira_port=settings.sandbox_jira_port,
                      github_port=settings.sandbox_github_port, slack_port=settings.sandbox_slack_port)
    return sandbox, sandbox.start()
