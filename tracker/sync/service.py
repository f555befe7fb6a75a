"""Ticket targets, promoting action items to tickets, and keeping links honest.

Every outbound change is an outbox message written in the same transaction as the change
itself; the worker delivers it (tracker/sync/push.py). Nothing here talks to a vendor.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.actions.access import ensure_lead, get_item
from tracker.actions.hooks import ActionItemChange
from tracker.actions.models import ActionItem, Phase
from tracker.activity.service import apply_changes, record
from tracker.api.versioning import check_version
from tracker.config import Settings
from tracker.errors import Conflict, InvalidInput, NotFound
from tracker.moments.models import MomentOfTruth
from tracker.outbox.service import enqueue
from tracker.people.models import Person, Team
from tracker.sync.connections import NotConfigured, connection_named
from tracker.sync.locks import lock_link_of_item
from tracker.sync.models import LinkState, TargetKind, TicketLink, TicketTarget
from tracker.sync.ports import MappingCheck
from tracker.types import utcnow

SYNC_KIND = "ticket.sync"
PULL_KIND = "ticket.pull"
# Action-item fields whose change must reach the ticket, by the ticket field they map to.
SYNCED_ITEM_FIELDS = {"title": "title", "phase": "phase", "owner_id": "assignee",
                      "deadline": "due", "priority": "priority"}
# Changes applied from a vendor carry an actor label with this prefix; they came from the ticket.
VENDOR_LABEL_PREFIXES = ("jira:", "github:")


def ordering_key(item_id: int) -> str:
    return f"item:{item_id}"


# --- targets ----------------------------------------------------------------------------------

def get_target(session: Session, target_id: int) -> TicketTarget:
    target = session.get(TicketTarget, target_id)
    if target is None:
        raise NotFound("ticket target", target_id)
    return target


def _check_connection(settings: Settings, name: str, kind: TargetKind) -> None:
    try:
        connection = connection_named(settings, name)
    except NotConfigured as exc:
        raise InvalidInput(str(exc), field="connection") from exc
    if connection.kind != kind.value:
        raise InvalidInput(f"connection '{name}' is a {connection.kind} connection, not {kind.value}",
                           field="connection")


def _check_mapping(check: MappingCheck | None, kind: TargetKind, mapping: dict[str, Any]) -> None:
    # Refused now, naming the key, rather than accepted and then failing every sync.
    if check is None:
        return
    try:
        check(kind.value, mapping)
    except (ValueError, TypeError, AttributeError) as exc:
        raise InvalidInput(f"mapping: {exc}", field="mapping") from exc


def create_target(session: Session, *, actor: Person, settings: Settings, data: dict[str, Any],
                  check_mapping: MappingCheck | None = None) -> TicketTarget:
    ensure_lead(actor, "configure ticket targets")
    _check_connection(settings, data["connection"], data["kind"])
    _check_mapping(check_mapping, TargetKind(data["kind"]), data.get("mapping") or {})
    if session.scalar(select(TicketTarget.id).where(TicketTarget.name == data["name"])):
        raise Conflict(f"a ticket target named {data['name']!r} already exists", field="name")
    target = TicketTarget(**data)
    session.add(target)
    session.flush()
    record(session, actor=actor, entity_type="ticket_target", entity_id=target.id, action="created",
           changes={"name": target.name, "kind": target.kind, "project": target.project})
    return target


def update_target(session: Session, *, actor: Person, settings: Settings, target_id: int,
                  expected_version: int, data: dict[str, Any],
                  check_mapping: MappingCheck | None = None) -> TicketTarget:
    ensure_lead(actor, "configure ticket targets")
    target = get_target(session, target_id)
    check_version(target, expected_version, "ticket target")
    if "connection" in data:
        _check_connection(settings, data["connection"], target.kind)
    if data.get("mapping") is not None:
        _check_mapping(check_mapping, target.kind, data["mapping"])
    changes = apply_changes(target, data)
    if changes:
        session.flush()
        record(session, actor=actor, entity_type="ticket_target", entity_id=target.id, action="updated",
               changes=changes)
    return target


def set_moment_target(session: Session, *, actor: Person, moment_id: int, target_id: int | None) -> None:
    """Send a moment's action items to another target than their teams' (None: the teams')."""
    ensure_lead(actor, "choose ticket targets")
    moment = session.get(MomentOfTruth, moment_id)
    if moment is None:
        raise NotFound("moment of truth", moment_id)
    if target_id is not None and session.get(TicketTarget, target_id) is None:
        raise InvalidInput(f"ticket target {target_id} does not exist", field="ticket_target_id")
    before = moment.ticket_target_id
    if before == target_id:
        return
    moment.ticket_target_id = target_id
    session.flush()
    record(session, actor=actor, entity_type="moment", entity_id=moment.id, action="ticket_target_set",
           changes={"ticket_target_id": {"from": before, "to": target_id}}, moment_id=moment.id)


def target_for(session: Session, item: ActionItem) -> TicketTarget | None:
    """The moment of truth's override if it has one, else the owning team's target."""
    if item.moment_id is not None:
        override = session.scalar(select(MomentOfTruth.ticket_target_id).where(MomentOfTruth.id == item.moment_id))
        if override is not None:
            return session.get(TicketTarget, override)
    team_target = session.scalar(select(Team.ticket_target_id).where(Team.id == item.team_id))
    return session.get(TicketTarget, team_target) if team_target is not None else None


# --- promote ----------------------------------------------------------------------------------

def link_for(session: Session, item_id: int) -> TicketLink | None:
    return session.scalar(select(TicketLink).where(TicketLink.action_item_id == item_id))


def promote_item(session: Session, *, actor: Person, item_id: int) -> TicketLink:
    """Queue the creation of the item's ticket in its team's (or moment's) target."""
    ensure_lead(actor, "push action items to tickets")
    item = get_item(session, item_id)
    existing = link_for(session, item.id)
    if existing is not None:
        where = existing.remote_key or "a ticket being created"
        raise Conflict(f"action item {item.id} is already linked to {where} ({existing.state.value})",
                       field="action_item_id", link_id=existing.id)
    if item.phase is Phase.cancelled:
        raise Conflict(f"action item {item.id} is cancelled; reinstate it before pushing it",
                       field="action_item_id")
    target = target_for(session, item)
    if target is None:
        raise InvalidInput(f"action item {item.id} has no ticket target: give team {item.team_id} "
                           "(or its moment of truth) a Jira project or GitHub repository",
                           field="action_item_id")
    link = TicketLink(action_item_id=item.id, target_id=target.id, state=LinkState.pending,
                      marker=f"trk-{item.id}-{uuid.uuid4().hex[:8]}", snapshot={}, dirty_fields=[])
    session.add(link)
    session.flush()
    enqueue(session, kind=SYNC_KIND, payload={"action_item_id": item.id}, ordering_key=ordering_key(item.id),
            coalesce=True)
    record(session, actor=actor, entity_type="ticket_link", entity_id=link.id, action="promoted",
           changes={"target": target.name, "project": target.project},
           action_item_id=item.id, moment_id=item.moment_id)
    return link


def promote_moment(session: Session, *, actor: Person, moment_id: int) -> list[TicketLink]:
    """Push every open, not yet linked action item of a moment of truth."""
    ensure_lead(actor, "push action items to tickets")
    if session.get(MomentOfTruth, moment_id) is None:
        raise NotFound("moment of truth", moment_id)
    linked = select(TicketLink.action_item_id)
    item_ids = list(session.scalars(
        select(ActionItem.id).where(ActionItem.moment_id == moment_id, ActionItem.phase != Phase.cancelled,
                                    ActionItem.id.not_in(linked)).order_by(ActionItem.id)
    ))
    return [promote_item(session, actor=actor, item_id=item_id) for item_id in item_ids]


def resume_link(session: Session, *, actor: Person, item_id: int, recreate: bool) -> TicketLink:
    """Start syncing a broken link again, after its cause was fixed (or make a new ticket)."""
    ensure_lead(actor, "repair ticket links")
    link = link_for(session, item_id)
    if link is None:
        raise NotFound("ticket link of action item", item_id)
    if link.state is not LinkState.broken:
        raise Conflict(f"the link of action item {item_id} is not broken ({link.state.value})", field="state")
    before = {"state": link.state, "remote_key": link.remote_key}
    if recreate or link.remote_key is None:
        link.remote_key = link.remote_url = link.remote_status = None
        link.create_attempted_at = None
        link.marker = f"trk-{item_id}-{uuid.uuid4().hex[:8]}"
        link.snapshot = {}
        link.state = LinkState.pending
    else:
        link.state = LinkState.linked
    link.dirty_fields = sorted(SYNCED_ITEM_FIELDS.values())
    link.broken_reason = None
    link.broken_at = None
    session.flush()
    enqueue(session, kind=SYNC_KIND, payload={"action_item_id": item_id}, ordering_key=ordering_key(item_id),
            coalesce=True)
    item = get_item(session, item_id)
    record(session, actor=actor, entity_type="ticket_link", entity_id=link.id, action="resumed",
           changes={"from": before, "recreate": recreate}, action_item_id=item_id, moment_id=item.moment_id)
    return link


def mark_broken(session: Session, link: TicketLink, reason: str, *, actor_label: str = "sync") -> None:
    """Stop syncing this link and say why, where leads look (the link and the activity log)."""
    link.state = LinkState.broken
    link.broken_reason = reason
    link.broken_at = utcnow()
    item = session.get(ActionItem, link.action_item_id)
    record(session, actor=None, actor_label=actor_label, entity_type="ticket_link", entity_id=link.id,
           action="broken", changes={"reason": reason, "ticket": link.remote_key},
           action_item_id=link.action_item_id, moment_id=item.moment_id if item else None)


# --- the listener: local changes become outbox messages ---------------------------------------

def on_action_item_change(session: Session, change: ActionItemChange) -> None:
    if change.entity_type != "action_item":
        return
    touched = {SYNCED_ITEM_FIELDS[f] for f in change.changes if f in SYNCED_ITEM_FIELDS}
    if not touched:
        return
    if change.actor_label and change.actor_label.startswith(VENDOR_LABEL_PREFIXES):
        return  # applied from the ticket itself: nothing to send back
    # Locked and read fresh: a push recording its outcome must not write back a stale list over
    # this mark, nor this one over its (tracker/sync/locks.py).
    link = lock_link_of_item(session, change.item.id)
    if link is None or link.state is LinkState.broken:
        return
    link.dirty_fields = sorted(set(link.dirty_fields or []) | touched)
    enqueue(session, kind=SYNC_KIND, payload={"action_item_id": change.item.id},
            ordering_key=ordering_key(change.item.id), coalesce=True)
