"""A programme whose integrations have a bit of everything: a backlog, a message waiting on a
rate limit, given-up messages, a broken link, webhooks received and refused, reconciliation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import SecretStr
from sqlalchemy.orm import Session

from tests import factories
from tests.factories.actions import action_item
from tracker.actions.models import ActionItem
from tracker.config import ConnectionSettings, Settings, SlackSettings
from tracker.health.models import ConnectionActivity, InboundRejection
from tracker.health.rejections import hour_of
from tracker.nudges.models import Nudge, NudgeKind, NudgeState
from tracker.outbox.models import OutboxMessage, OutboxState
from tracker.people.models import Person, Role
from tracker.slack.outbound import NUDGE_KIND
from tracker.sync.inbound import RECONCILE_KIND
from tracker.sync.models import InboundDelivery, LinkState, TargetKind, TicketLink, TicketTarget
from tracker.sync.service import SYNC_KIND, ordering_key

JIRA = "acme_jira"
GITHUB = "retired_github"  # named by a target, no longer configured
TOKEN = "jira-token-that-must-never-show"
SECRET = "webhook-secret-that-must-never-show"


def health_settings(database_url: str) -> Settings:
    jira = ConnectionSettings(kind="jira", url="https://bot:inline-password@acme.atlassian.example/",
                              user="bot@acme.example", token=SecretStr(TOKEN), webhook_secret=SecretStr(SECRET))
    return Settings(database_url=database_url, base_url="http://tracker.test", connections={JIRA: jira},
                    slack=SlackSettings(bot_token=SecretStr("xoxb-never-show"), signing_secret=SecretStr(SECRET),
                                        base_url="https://slack.example/api/"))


def message(session: Session, *, kind: str, payload: dict[str, Any], state: OutboxState = OutboxState.pending,
            created: datetime, available: datetime | None = None, attempts: int = 0, error: str | None = None,
            completed: datetime | None = None, key: str | None = None) -> OutboxMessage:
    m = OutboxMessage(kind=kind, payload=payload, state=state, created_at=created, available_at=available or created,
                      attempts=attempts, last_error=error, completed_at=completed, ordering_key=key)
    session.add(m)
    session.flush()
    return m


def link(session: Session, item: ActionItem, target: TicketTarget, *, state: LinkState = LinkState.linked,
         key: str | None = None, reason: str | None = None, broken_at: datetime | None = None) -> TicketLink:
    row = TicketLink(action_item_id=item.id, target_id=target.id, state=state, marker=f"trk-{item.id}-health",
                     remote_key=key, remote_url=f"https://acme.atlassian.example/browse/{key}" if key else None,
                     broken_reason=reason, broken_at=broken_at, snapshot={}, dirty_fields=[])
    session.add(row)
    session.flush()
    return row


@dataclass
class HealthWorld:
    now: datetime
    lead: Person
    owner: Person
    jira: TicketTarget
    github: TicketTarget
    linked: ActionItem
    broken: ActionItem
    waiting: OutboxMessage
    dead_sync: OutboxMessage
    dead_nudge: OutboxMessage
    nudge: Nudge

    @classmethod
    def build(cls, session: Session, now: datetime) -> HealthWorld:
        lead = factories.person(session, Role.lead)
        owner = factories.person(session, Role.owner)
        jira = TicketTarget(name="Billing Jira", kind=TargetKind.jira, connection=JIRA, project="BILL",
                            watermark="2026-12-01T08:00:00Z", reconciled_at=now - timedelta(minutes=4), mapping={})
        github = TicketTarget(name="Old GitHub", kind=TargetKind.github, connection=GITHUB, project="acme/old",
                              mapping={})
        session.add_all([jira, github])
        session.flush()
        linked = action_item(session, owner=owner, lead=lead, title="Show plan names on invoices")
        broken = action_item(session, owner=owner, lead=lead, title="Fix the VAT line")
        link(session, linked, jira, key="BILL-1")
        link(session, broken, jira, state=LinkState.broken, key="BILL-2",
             reason="gave up after 3 attempts: jira BILL: 503 Service Unavailable", broken_at=now - timedelta(hours=1))
        sync = {"action_item_id": linked.id}
        # The backlog: one due for 30 minutes (the oldest), one waiting on a rate limit.
        message(session, kind=SYNC_KIND, payload=sync, created=now - timedelta(minutes=30), key=ordering_key(linked.id))
        waiting = message(session, kind=SYNC_KIND, payload=sync, created=now - timedelta(minutes=5),
                          available=now + timedelta(seconds=90), attempts=2,
                          error="jira BILL: 429 Too Many Requests (Retry-After 90)", key=ordering_key(linked.id))
        message(session, kind=RECONCILE_KIND, payload={"target_id": jira.id}, created=now - timedelta(minutes=1))
        message(session, kind=SYNC_KIND, payload=sync, state=OutboxState.done, created=now - timedelta(days=2),
                completed=now - timedelta(days=2))
        dead_sync = message(session, kind=SYNC_KIND, payload={"action_item_id": broken.id}, state=OutboxState.dead,
                            created=now - timedelta(hours=2), attempts=3, completed=now - timedelta(hours=1),
                            error="gave up after 3 attempts: jira BILL: 503 Service Unavailable",
                            key=ordering_key(broken.id))
        nudge = Nudge(action_item_id=linked.id, kind=NudgeKind.overdue, slot="health", recipient_id=owner.id,
                      state=NudgeState.failed, error="gave up after 5 attempts: ratelimited")
        session.add(nudge)
        session.flush()
        dead_nudge = message(session, kind=NUDGE_KIND, payload={"nudge_id": nudge.id}, state=OutboxState.dead,
                             created=now - timedelta(hours=3), attempts=5, completed=now - timedelta(minutes=30),
                             error="gave up after 5 attempts: ratelimited")
        # Webhooks: two in the last day (one applied, one our own echo), one older.
        for n, (outcome, age) in enumerate([("queued", 1), ("echo", 3), ("queued", 30)]):
            session.add(InboundDelivery(source=f"jira:{JIRA}", delivery_id=f"health-{n}", event="jira:issue_updated",
                                        outcome=outcome, received_at=now - timedelta(hours=age)))
        session.add_all([
            InboundRejection(source=f"jira:{JIRA}", hour=hour_of(now - timedelta(hours=2)), count=4),
            InboundRejection(source=f"jira:{JIRA}", hour=hour_of(now - timedelta(days=3)), count=50),
            ConnectionActivity(connection=JIRA, last_success_at=now - timedelta(minutes=2),
                               last_success_kind=SYNC_KIND),
        ])
        session.flush()
        session.commit()
        return cls(now, lead, owner, jira, github, linked, broken, waiting, dead_sync, dead_nudge, nudge)
