"""Delivering `ticket.sync` messages: make the ticket match the action item, exactly once.

Creation is guarded in three steps, each its own transaction:
  1. record the intent (`create_attempted_at`) before calling the vendor;
  2. call the vendor (the adapter never re-sends a create by itself);
  3. record the outcome.
If the worker dies between 2 and 3, or the vendor times out after creating, the next attempt
sees the intent and first looks for our marker on the vendor's side; only if it is not there
does it create. Updates send only the fields the tracker changed (`dirty_fields`).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.actions.models import ActionItem
from tracker.config import Settings
from tracker.db import transaction
from tracker.outbox.models import OutboxMessage
from tracker.outbox.service import enqueue
from tracker.sync.connections import NotConfigured
from tracker.sync.locks import lock_link
from tracker.sync.models import LinkState, TicketLink, TicketTarget
from tracker.sync.ports import (
    SYNCED_FIELDS,
    AccessRevoked,
    Rejected,
    RemoteTicket,
    TicketFields,
    TicketGone,
    Transient,
    WorkflowBlocked,
)
from tracker.sync.pull import apply_remote
from tracker.sync.render import as_snapshot, local_values, ticket_fields
from tracker.sync.service import SYNC_KIND, mark_broken, ordering_key
from tracker.sync.systems import TicketSystems
from tracker.worker.errors import GiveUp, RetryLater
from tracker.worker.runner import WorkerContext

log = logging.getLogger(__name__)

# Vendors' clocks and ours differ a little: look for our marker a bit before the intent.
MARKER_LOOKBACK = timedelta(minutes=10)


def broken_reason(error: Exception, target: TicketTarget) -> str:
    where = f"{target.kind.value} {target.project}"
    if isinstance(error, AccessRevoked):
        return f"{where}: our credentials were refused ({error}); fix connection '{target.connection}'"
    if isinstance(error, TicketGone):
        return f"{where}: {error}"
    if isinstance(error, WorkflowBlocked):
        needs = f" (Jira wants field '{error.field}')" if error.field else ""
        return f"{where}: {error}{needs}"
    if isinstance(error, Rejected):
        field = f" (field '{error.field}')" if error.field else ""
        return f"{where} refused the values{field}: {error}"
    return f"{where}: {error}"


def deliver_ticket_sync(ctx: WorkerContext, message: OutboxMessage) -> None:
    item_id = int(message.payload["action_item_id"])
    settings: Settings = ctx.resources["settings"]
    systems: TicketSystems = ctx.resources["ticket_systems"]

    # 1. Read what to send, and record the intent to create before doing it.
    with transaction(ctx.session_factory) as session:
        link = session.scalar(select(TicketLink).where(TicketLink.action_item_id == item_id))
        item = session.get(ActionItem, item_id)
        if link is None or item is None or link.state is LinkState.broken:
            return
        target = session.get(TicketTarget, link.target_id)
        assert target is not None
        fields = ticket_fields(session, item, target.kind, settings.base_url)
        creating = link.remote_key is None
        earlier_attempt = link.create_attempted_at
        if creating and earlier_attempt is None:
            link.create_attempted_at = ctx.clock()
        link_id, marker, remote_key = link.id, link.marker, link.remote_key
        session.expunge(target)

    try:
        system = systems.for_target(target)
        if creating:
            remote = None
            if earlier_attempt is not None:
                remote = system.find_by_marker(marker, created_after=earlier_attempt - MARKER_LOOKBACK)
            if remote is None:
                remote = system.create(fields, marker=marker)
            sent = set(SYNCED_FIELDS)
        else:
            assert remote_key is not None
            # Read the ticket first: if someone changed it since our last sync, the conflict
            # rule (tracker/sync/pull.py) decides per field before we overwrite anything.
            fields, sent = _reconcile_before_update(ctx, link_id, system.fetch(remote_key), target)
            if not sent:
                _record_outcome(ctx, link_id, fields, sent=set(), remote=None)
                return
            remote = system.update(remote_key, fields, sent)
    except Transient as exc:
        raise RetryLater(str(exc), retry_after=exc.retry_after) from exc
    except NotConfigured as exc:
        break_link(ctx, link_id, str(exc))
        raise GiveUp(str(exc)) from exc
    except (AccessRevoked, TicketGone, WorkflowBlocked, Rejected) as exc:
        reason = broken_reason(exc, target)
        break_link(ctx, link_id, reason)
        raise GiveUp(reason) from exc

    # 3. Record the outcome.
    _record_outcome(ctx, link_id, fields, sent=sent, remote=remote)


def _reconcile_before_update(
    ctx: WorkerContext, link_id: int, remote: RemoteTicket, target: TicketTarget
) -> tuple[TicketFields, set[str]]:
    """Apply the ticket's own news first; return what to send and which fields still need it."""
    settings: Settings = ctx.resources["settings"]
    with transaction(ctx.session_factory) as session:
        link, item = lock_link(session, link_id)
        assert link is not None and item is not None
        apply_remote(session, link, remote, target=target, actors=[])
        session.flush()
        session.refresh(item)
        fields = ticket_fields(session, item, target.kind, settings.base_url)
        wanted, snapshot = as_snapshot(fields), dict(link.snapshot or {})
        return fields, {f for f in link.dirty_fields or [] if wanted.get(f) != snapshot.get(f)}


def give_up_ticket_sync(session: Session, message: OutboxMessage, reason: str) -> None:
    """The push failed on its last attempt: the link is broken with the reason, so a lead sees
    it (`?state=broken`, the activity log) and can resume it once the cause is fixed."""
    link = session.scalar(select(TicketLink.id).where(
        TicketLink.action_item_id == int(message.payload["action_item_id"])))
    if link is not None:
        break_link_in(session, link, reason)


def break_link_in(session: Session, link_id: int, reason: str) -> None:
    link, _ = lock_link(session, link_id)
    if link is not None and link.state is not LinkState.broken:
        mark_broken(session, link, reason)


def break_link(ctx: WorkerContext, link_id: int, reason: str) -> None:
    with transaction(ctx.session_factory) as session:
        break_link_in(session, link_id, reason)


def _record_outcome(
    ctx: WorkerContext, link_id: int, fields: TicketFields, *, sent: set[str], remote: RemoteTicket | None
) -> None:
    """Record what the ticket now holds, and make sure anything changed meanwhile goes out too.

    The item may have changed while we talked to the vendor, and the change's own outbox
    message may have been folded into the one being handled now (enqueue coalesces into a
    waiting message, which this worker may have claimed and read just before the change
    committed). So, under the item's and link's locks, the item is read afresh: any field whose
    value differs from what the ticket holds stays dirty and gets a message of its own.
    """
    with transaction(ctx.session_factory) as session:
        link, item = lock_link(session, link_id)
        if link is None:
            return
        sent_values = as_snapshot(fields)
        snapshot = dict(link.snapshot or {})
        snapshot.update({f: sent_values[f] for f in sent})
        if remote is not None:
            link.remote_key = remote.key
            link.remote_url = remote.url
            link.remote_status = remote.status
            link.remote_updated_at = remote.updated_at
        link.snapshot = snapshot
        target = session.get(TicketTarget, link.target_id)
        now_values = local_values(session, item, target.kind) if item and target else {}
        still_dirty = {f for f in set(link.dirty_fields or []) | sent if now_values.get(f) != snapshot.get(f)}
        link.dirty_fields = sorted(still_dirty)
        if link.state is LinkState.pending and link.remote_key:
            link.state = LinkState.linked
        link.last_synced_at = ctx.clock()
        if still_dirty and link.state is not LinkState.broken:
            enqueue(session, kind=SYNC_KIND, payload={"action_item_id": link.action_item_id},
                    ordering_key=ordering_key(link.action_item_id), coalesce=True)
