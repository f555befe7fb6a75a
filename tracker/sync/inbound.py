"""Webhook deliveries and reconciliation: the ticket side's changes coming back.

Both end in `pull.apply_remote`. A webhook is verified, stored by delivery id (a redelivery is
recognised and ignored), and turned into a `ticket.pull` message: the worker re-reads the
ticket rather than trusting the payload. Reconciliation lists only what changed since the
target's watermark, so its cost follows the number of changed tickets, not of linked ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracker.db import transaction
from tracker.outbox.models import OutboxMessage
from tracker.outbox.service import enqueue
from tracker.sync.connections import NotConfigured
from tracker.sync.locks import lock_link
from tracker.sync.models import InboundDelivery, LinkState, TicketLink, TicketTarget
from tracker.sync.ports import AccessRevoked, Connection, InboundNotice, TicketGone, Transient
from tracker.sync.pull import apply_remote
from tracker.sync.push import break_link, break_link_in, broken_reason
from tracker.sync.service import PULL_KIND, ordering_key
from tracker.sync.systems import TicketSystems
from tracker.worker.errors import GiveUp, RetryLater
from tracker.worker.runner import WorkerContext

RECONCILE_KIND = "ticket.reconcile"


@dataclass(frozen=True)
class Receipt:
    outcome: str  # queued | duplicate | echo | unlinked | ignored
    delivery_id: str


def receive_notice(
    session: Session, *, kind: str, connection_name: str, connection: Connection, notice: InboundNotice
) -> Receipt:
    """Record one verified delivery and queue a re-read of its ticket, once per delivery id."""
    outcome = "ignored"
    link = None
    if notice.ticket_key is None:
        outcome = "ignored"
    elif connection.bot_identity and notice.actor == connection.bot_identity:
        outcome = "echo"  # our own change coming back
    else:
        link = session.scalar(
            select(TicketLink).join(TicketTarget, TicketTarget.id == TicketLink.target_id).where(
                TicketTarget.connection == connection_name,
                TicketTarget.project == notice.project,
                TicketLink.remote_key == notice.ticket_key,
            )
        )
        outcome = "queued" if link is not None and link.state is LinkState.linked else "unlinked"
    delivery = InboundDelivery(
        source=f"{kind}:{connection_name}", delivery_id=notice.delivery_id, event=notice.event[:80],
        project=notice.project, ticket_key=notice.ticket_key, actor=notice.actor, outcome=outcome,
    )
    try:
        with session.begin_nested():
            session.add(delivery)
    except IntegrityError:
        return Receipt("duplicate", notice.delivery_id)
    if outcome == "queued" and link is not None:
        actor = notice.actor
        enqueue(session, kind=PULL_KIND, payload={"link_id": link.id, "actors": [actor]},
                ordering_key=ordering_key(link.action_item_id), coalesce=True,
                merge=lambda waiting: {**waiting, "actors": add_actor(pull_actors(waiting), actor)})
    return Receipt(outcome, notice.delivery_id)


# Who a pull's changes are attributed to. One pull applies the ticket's state as it is when the
# worker reads it: the net result of every webhook coalesced into it, compared field by field
# with what we last knew, never with the payloads. So it cannot tell which of those people
# changed which field, and naming only the first (or only the last) would credit one person with
# another's change. The pull therefore keeps every distinct actor of its webhooks, in arrival
# order, and each change it applies names them all; with one actor (the usual case) that is
# exactly who did it. (A change made meanwhile whose webhook has not arrived yet is applied too,
# under these names; its own webhook then finds nothing left to apply.)
MAX_PULL_ACTORS = 10  # a bound on the payload; further actors are counted as unknown (None)


def pull_actors(payload: dict[str, Any]) -> list[str | None]:
    """The actors of a pull's webhooks (messages queued before `actors` carry one `actor`)."""
    if "actors" in payload:
        return list(payload["actors"] or [])
    return [payload.get("actor")]


def add_actor(actors: list[str | None], actor: str | None) -> list[str | None]:
    """`actors` and one more webhook's actor, each named once (None: unknown, or past the bound)."""
    if actor in actors:
        return actors
    if actor is not None and len(actors) >= MAX_PULL_ACTORS:
        actor = None
        if None in actors:
            return actors
    return [*actors, actor]


def deliver_ticket_pull(ctx: WorkerContext, message: OutboxMessage) -> None:
    systems: TicketSystems = ctx.resources["ticket_systems"]
    with transaction(ctx.session_factory) as session:
        link = session.get(TicketLink, int(message.payload["link_id"]))
        if link is None or link.state is not LinkState.linked or link.remote_key is None:
            return
        target = session.get(TicketTarget, link.target_id)
        assert target is not None
        session.expunge(target)
        link_id, key = link.id, link.remote_key
    try:
        remote = systems.for_target(target).fetch(key)
    except Transient as exc:
        raise RetryLater(str(exc), retry_after=exc.retry_after) from exc
    except NotConfigured as exc:
        break_link(ctx, link_id, str(exc))
        raise GiveUp(str(exc)) from exc
    except (TicketGone, AccessRevoked) as exc:
        reason = broken_reason(exc, target)
        break_link(ctx, link_id, reason)
        raise GiveUp(reason) from exc
    with transaction(ctx.session_factory) as session:
        link, _ = lock_link(session, link_id)
        if link is not None and link.state is LinkState.linked:
            apply_remote(session, link, remote, target=target, actors=pull_actors(message.payload))


def give_up_ticket_pull(session: Session, message: OutboxMessage, reason: str) -> None:
    """Reading the ticket failed on the last attempt: break the link, saying why."""
    break_link_in(session, int(message.payload["link_id"]), reason)


def deliver_reconcile(ctx: WorkerContext, message: OutboxMessage) -> None:
    """Fetch what changed on one target since its watermark and apply it."""
    systems: TicketSystems = ctx.resources["ticket_systems"]
    with transaction(ctx.session_factory) as session:
        target = session.get(TicketTarget, int(message.payload["target_id"]))
        if target is None:
            return
        session.expunge(target)
    try:
        batch = systems.for_target(target).changed_since(target.watermark)
    except Transient as exc:
        raise RetryLater(str(exc), retry_after=exc.retry_after) from exc
    except AccessRevoked as exc:
        raise GiveUp(broken_reason(exc, target)) from exc
    except NotConfigured as exc:
        raise GiveUp(str(exc)) from exc
    with transaction(ctx.session_factory) as session:
        by_key = {t.key: t for t in batch.tickets}
        links: Any = session.scalars(select(TicketLink).where(
            TicketLink.target_id == target.id, TicketLink.remote_key.in_(list(by_key)),
            TicketLink.state == LinkState.linked,
        )) if by_key else []
        for link_id in [link.id for link in links]:
            link, _ = lock_link(session, link_id)
            if link is None or link.state is not LinkState.linked or link.remote_key is None:
                continue
            apply_remote(session, link, by_key[link.remote_key], target=target, actors=[])
        # A plain UPDATE: bookkeeping must not bump the version a lead's edit is checked against.
        values: dict[str, Any] = {"reconciled_at": ctx.clock()}
        if batch.watermark:
            values["watermark"] = batch.watermark
        session.execute(update(TicketTarget).where(TicketTarget.id == target.id).values(**values))


def queue_reconciliation(session: Session) -> int:
    """Queue one reconciliation per target (coalesced: a slow one is never queued twice)."""
    queued = 0
    for target_id in session.scalars(select(TicketTarget.id)):
        if enqueue(session, kind=RECONCILE_KIND, payload={"target_id": target_id},
                   ordering_key=f"target:{target_id}", coalesce=True):
            queued += 1
    return queued
