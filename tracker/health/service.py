"""The integration health summary: per connection, and the messages and links that need a person.

Everything comes from the database (the outbox, ticket links and targets, webhook deliveries,
the worker's delivery record, refused-request counts), so the page needs no log file and shows
the same thing whichever process serves it. Connection settings are read for their names,
kinds and hosts only: no token or secret is ever part of the summary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.actions.access import ensure_lead
from tracker.actions.models import ActionItem
from tracker.config import Settings
from tracker.health import queries
from tracker.health.connections import SLACK, UNATTRIBUTED
from tracker.health.rejections import SLACK_SOURCE
from tracker.outbox.models import OutboxMessage
from tracker.people.models import Person
from tracker.slack.outbound import (
    DIGEST_KIND,
    INTERACTION_KIND,
    NOTICE_KIND,
    NUDGE_KIND,
    REFRESH_KIND,
    RESPOND_KIND,
)
from tracker.sync.inbound import RECONCILE_KIND
from tracker.sync.service import PULL_KIND, SYNC_KIND

LIST_LIMIT = 50  # rows per list on the page; the totals say how many there are in all
WINDOW = timedelta(hours=24)
STUCK_AFTER = timedelta(minutes=15)  # a message waiting longer than this is worth a look

WHAT = {
    SYNC_KIND: "Ticket sync", PULL_KIND: "Ticket read (webhook)", RECONCILE_KIND: "Reconciliation",
    NUDGE_KIND: "Slack reminder", DIGEST_KIND: "Weekly digest", REFRESH_KIND: "Slack message redraw",
    RESPOND_KIND: "Answer in Slack", NOTICE_KIND: "Notice to a lead", INTERACTION_KIND: "Slack button press",
}


@dataclass(frozen=True)
class TargetState:
    id: int
    name: str
    project: str
    watermark: str | None
    reconciled_at: datetime | None


@dataclass(frozen=True)
class Webhooks:
    source: str
    received: int  # taken in the last 24 hours (a Slack app's requests are not counted)
    by_outcome: dict[str, int]
    last_received_at: datetime | None
    rejected: int  # refused for their signature, in about the last 24 hours


@dataclass(frozen=True)
class ConnectionHealth:
    name: str
    kind: str  # jira | github | slack | unknown
    configured: bool
    host: str | None
    last_success_at: datetime | None
    last_success_kind: str | None
    backlog: int
    oldest_pending_at: datetime | None
    waiting: int
    in_hand: int
    dead: int
    broken_links: int
    targets: list[TargetState]
    webhooks: Webhooks | None
    problems: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.problems:
            return "attention"
        if not self.configured:
            return "off"
        return "retrying" if self.waiting else "ok"


@dataclass(frozen=True)
class MessageRow:
    id: int
    kind: str
    what: str
    connection: str
    item_id: int | None
    attempts: int
    last_error: str | None
    created_at: datetime
    available_at: datetime
    completed_at: datetime | None


@dataclass(frozen=True)
class BrokenLinkRow:
    item_id: int
    item_title: str
    connection: str
    target: str
    remote_key: str | None
    remote_url: str | None
    reason: str | None
    broken_at: datetime | None


@dataclass(frozen=True)
class HealthSummary:
    generated_at: datetime
    connections: list[ConnectionHealth]
    dead: list[MessageRow]
    dead_total: int
    waiting: list[MessageRow]
    waiting_total: int
    broken: list[BrokenLinkRow]
    broken_total: int


def _host(url: str | None) -> str | None:
    """scheme://host[:port] only: a URL may carry a user or token in it, never shown."""
    if not url:
        return None
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}" if parts.scheme and host else None


def _problems(c: dict[str, Any], now: datetime) -> list[str]:
    said = []
    # A missing Slack app is a choice (no reminders) until something waits for it; a ticket
    # target naming a missing connection is always a problem.
    if not c["configured"] and (c["kind"] != "slack" or c["backlog"] or c["dead"]):
        said.append("not configured in this process's environment")
    if c["dead"]:
        said.append(f"{c['dead']} message(s) given up")
    if c["broken_links"]:
        said.append(f"{c['broken_links']} broken ticket link(s)")
    hooks: Webhooks | None = c["webhooks"]
    if hooks is not None and hooks.rejected:
        said.append(f"{hooks.rejected} request(s) refused for their signature in 24 h")
    oldest = c["oldest_pending_at"]
    if oldest is not None and now - oldest > STUCK_AFTER:
        said.append(f"the oldest waiting message is {_age(now - oldest)} old")
    return said


def _age(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h" if hours < 48 else f"{hours // 24} days"


def connection_health(session: Session, settings: Settings, now: datetime,
                      unwritten_rejections: dict[str, int] | None = None) -> list[ConnectionHealth]:
    all_targets = queries.targets(session)
    backlog = queries.backlog_by_connection(session, now)
    dead = queries.dead_by_connection(session)
    broken = queries.broken_by_connection(session)
    successes = queries.last_successes(session)
    kinds = {name: c.kind for name, c in settings.connections.items()}
    for target in all_targets:
        kinds.setdefault(target.connection, target.kind.value)
    sources = {name: f"{kind}:{name}" for name, kind in kinds.items()}
    since = now - WINDOW
    received = queries.deliveries(session, sources.values(), since)
    refused = queries.rejections(session, since)
    for source, count in (unwritten_rejections or {}).items():
        refused[source] = refused.get(source, 0) + count

    names: list[str | None] = [*sorted(kinds), SLACK]
    if backlog.get(None) or dead.get(None):
        names.append(None)
    found = []
    for name in names:
        label = name if name is not None else UNATTRIBUTED
        if name == SLACK:
            kind, configured, host = "slack", settings.slack is not None, \
                _host(settings.slack.base_url) if settings.slack else None
            hooks = Webhooks(SLACK_SOURCE, 0, {}, None, refused.get(SLACK_SOURCE, 0))
        elif name is None:
            kind, configured, host, hooks = "unknown", True, None, None
        else:
            conf = settings.connections.get(name)
            kind, configured, host = kinds[name], conf is not None, _host(conf.url) if conf else None
            got = received[sources[name]]
            hooks = Webhooks(sources[name], got.received, got.by_outcome, got.last_received_at,
                             refused.get(sources[name], 0))
        b = backlog.get(name, queries.Backlog())
        success = successes.get(name) if name is not None else None
        values: dict[str, Any] = dict(
            name=label, kind=kind, configured=configured, host=host,
            last_success_at=success.last_success_at if success else None,
            last_success_kind=success.last_success_kind if success else None,
            backlog=b.pending, oldest_pending_at=b.oldest_created_at, waiting=b.waiting, in_hand=b.in_hand,
            dead=dead.get(name, 0), broken_links=broken.get(name, 0) if name else 0,
            targets=[TargetState(t.id, t.name, t.project, t.watermark, t.reconciled_at)
                     for t in all_targets if t.connection == name],
            webhooks=hooks)
        found.append(ConnectionHealth(**values, problems=_problems(values, now)))
    return found


def _rows(session: Session, listed: list[tuple[OutboxMessage, str | None]]) -> list[MessageRow]:
    items = queries.item_ids_of(session, [m for m, _ in listed])
    return [MessageRow(id=m.id, kind=m.kind, what=WHAT.get(m.kind, m.kind), connection=conn or UNATTRIBUTED,
                       item_id=items.get(m.id), attempts=m.attempts, last_error=m.last_error,
                       created_at=m.created_at, available_at=m.available_at, completed_at=m.completed_at)
            for m, conn in listed]


def summary(session: Session, *, actor: Person, settings: Settings, now: datetime,
            unwritten_rejections: dict[str, int] | None = None) -> HealthSummary:
    """Everything the health page and `GET /integration-health` show (leads and admins)."""
    ensure_lead(actor, "see integration health")
    connections = connection_health(session, settings, now, unwritten_rejections)
    titles: dict[int, str] = {}
    broken = queries.broken_links(session, LIST_LIMIT)
    if broken:
        item_ids = [link.action_item_id for link, _ in broken]
        rows = session.execute(select(ActionItem.id, ActionItem.title).where(ActionItem.id.in_(item_ids)))
        titles = {item_id: title for item_id, title in rows}
    return HealthSummary(
        generated_at=now,
        connections=connections,
        dead=_rows(session, queries.dead_messages(session, LIST_LIMIT)),
        dead_total=sum(c.dead for c in connections),
        waiting=_rows(session, queries.waiting_messages(session, now, LIST_LIMIT)),
        waiting_total=sum(c.waiting for c in connections),
        broken=[BrokenLinkRow(item_id=link.action_item_id, item_title=titles.get(link.action_item_id, ""),
                              connection=target.connection, target=target.name, remote_key=link.remote_key,
                              remote_url=link.remote_url, reason=link.broken_reason, broken_at=link.broken_at)
                for link, target in broken],
        broken_total=sum(c.broken_links for c in connections),
    )
