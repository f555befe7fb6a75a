"""Which connection an outbox message goes through.

Messages do not name their connection: a ticket sync names its action item, whose link names
a target, whose `connection` names the credentials. So the connection is looked up when asked,
in SQL for counts over the whole outbox and row by row for the worker's success record. Every
Slack kind goes through the one Slack app, named `slack`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, String, literal, select, union_all
from sqlalchemy.orm import Session

from tracker.digests.models import DigestDelivery, DigestState
from tracker.nudges.models import Nudge, NudgeState
from tracker.outbox.models import OutboxMessage
from tracker.slack.outbound import (
    DIGEST_KIND,
    INTERACTION_KIND,
    NOTICE_KIND,
    NUDGE_KIND,
    REFRESH_KIND,
    RESPOND_KIND,
)
from tracker.sync.inbound import RECONCILE_KIND
from tracker.sync.models import LinkState, TicketLink, TicketTarget
from tracker.sync.service import PULL_KIND, SYNC_KIND

SLACK = "slack"
SLACK_KINDS = (NUDGE_KIND, DIGEST_KIND, REFRESH_KIND, RESPOND_KIND, NOTICE_KIND, INTERACTION_KIND)
TICKET_KINDS = (SYNC_KIND, PULL_KIND, RECONCILE_KIND)
# A ticket message whose link or target is gone, or a kind no connection claims.
UNATTRIBUTED = "(no connection)"


def message_connections(where: ColumnElement[bool]) -> Select[Any]:
    """(outbox id, connection name or NULL) for the messages matching `where`."""
    m = OutboxMessage
    item_id = m.payload["action_item_id"].as_integer()
    link_id = m.payload["link_id"].as_integer()
    target_id = m.payload["target_id"].as_integer()
    sync = (select(m.id, TicketTarget.connection)
            .outerjoin(TicketLink, TicketLink.action_item_id == item_id)
            .outerjoin(TicketTarget, TicketTarget.id == TicketLink.target_id)
            .where(where, m.kind == SYNC_KIND))
    pull = (select(m.id, TicketTarget.connection)
            .outerjoin(TicketLink, TicketLink.id == link_id)
            .outerjoin(TicketTarget, TicketTarget.id == TicketLink.target_id)
            .where(where, m.kind == PULL_KIND))
    reconcile = (select(m.id, TicketTarget.connection)
                 .outerjoin(TicketTarget, TicketTarget.id == target_id)
                 .where(where, m.kind == RECONCILE_KIND))
    slack = select(m.id, literal(SLACK, String)).where(where, m.kind.in_(SLACK_KINDS))
    other = select(m.id, literal(None, String)).where(where, m.kind.not_in(SLACK_KINDS + TICKET_KINDS))
    return union_all(sync, pull, reconcile, slack, other)  # type: ignore[return-value]


def delivered_through(session: Session, kind: str, payload: dict[str, Any]) -> str | None:
    """The connection a message just completed by the worker actually talked to, or None when
    its handler had nothing to send (a broken link, a skipped nudge, a click applied here)."""
    if kind == INTERACTION_KIND:
        return None  # applied in the database; its answer and redraw are messages of their own
    if kind == NUDGE_KIND:
        nudge = session.get(Nudge, int(payload.get("nudge_id", 0)))
        return SLACK if nudge is not None and nudge.state is NudgeState.sent else None
    if kind == DIGEST_KIND:
        delivery = session.get(DigestDelivery, int(payload.get("delivery_id", 0)))
        return SLACK if delivery is not None and delivery.state is DigestState.sent else None
    if kind in SLACK_KINDS:
        return SLACK
    link: TicketLink | None = None
    if kind == SYNC_KIND:
        link = session.scalar(select(TicketLink).where(TicketLink.action_item_id == int(payload["action_item_id"])))
    elif kind == PULL_KIND:
        link = session.get(TicketLink, int(payload["link_id"]))
    elif kind == RECONCILE_KIND:
        return session.scalar(select(TicketTarget.connection).where(TicketTarget.id == int(payload["target_id"])))
    if link is None or link.state is not LinkState.linked:
        return None
    return session.scalar(select(TicketTarget.connection).where(TicketTarget.id == link.target_id))
