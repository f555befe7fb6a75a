"""The closed-loop checklist: which affected customers must hear about the fix, how, and whether
they did. Entries from friction points are kept in step with them by closed_loop.py."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from tracker.actions.access import ensure_can_work_checklist, get_item
from tracker.actions.hooks import after_change
from tracker.actions.models import ChecklistEntry, ContactChannel, NotificationStatus
from tracker.activity.service import apply_changes
from tracker.api.versioning import check_version
from tracker.errors import InvalidInput, NotFound
from tracker.people.models import Person
from tracker.types import utcnow

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[\d\s().\-/]+$")
# Statuses that mean someone tried to reach the customer: stamp who and when.
ATTEMPTED = frozenset({NotificationStatus.notified, NotificationStatus.acknowledged,
                       NotificationStatus.unreachable})
EDITABLE = ("channel", "message", "status", "note")


def guess_channel(contact: str) -> ContactChannel:
    """email for an address, phone for something that looks like a number, else other."""
    value = contact.strip()
    if _EMAIL.match(value):
        return ContactChannel.email
    if _PHONE.match(value) and sum(c.isdigit() for c in value) >= 6:
        return ContactChannel.phone
    return ContactChannel.other


def checklist_counts(session: Session, item_id: int) -> dict[str, int]:
    rows = session.execute(
        select(ChecklistEntry.status, func.count())
        .where(ChecklistEntry.action_item_id == item_id)
        .group_by(ChecklistEntry.status)
    ).all()
    counts: Counter[str] = Counter({s.value: 0 for s in NotificationStatus})
    for status, n in rows:
        counts[NotificationStatus(status).value] = n
    return {"total": sum(counts.values()), **counts}


def pending_count(session: Session, item_id: int) -> int:
    return session.scalar(
        select(func.count()).where(ChecklistEntry.action_item_id == item_id,
                                   ChecklistEntry.status == NotificationStatus.pending)
    ) or 0


def entries_query(
    item_id: int, status: NotificationStatus | None = None
) -> Select[ChecklistEntry]:
    stmt = select(ChecklistEntry).where(ChecklistEntry.action_item_id == item_id)
    if status is not None:
        stmt = stmt.where(ChecklistEntry.status == status)
    return stmt


def list_entries(
    session: Session, *, item_id: int, status: NotificationStatus | None = None
) -> list[ChecklistEntry]:
    """All entries of an item (in the order they were added); 404 for an unknown item."""
    get_item(session, item_id)
    return list(session.scalars(entries_query(item_id, status).order_by(ChecklistEntry.id)))


def get_entry(session: Session, item_id: int, entry_id: int) -> ChecklistEntry:
    entry = session.get(ChecklistEntry, entry_id)
    if entry is None or entry.action_item_id != item_id:
        raise NotFound("checklist entry", entry_id)
    return entry


def _stamp(entry: ChecklistEntry, actor: Person | None, updates: dict[str, Any]) -> None:
    """Moving to an attempted status stamps who/when; moving back to pending clears it."""
    status = updates.get("status")
    if status is None or status == entry.status:
        return
    if status in ATTEMPTED:
        updates["notified_at"] = utcnow()
        updates["notified_by_id"] = actor.id if actor else None
    else:
        updates["notified_at"] = None
        updates["notified_by_id"] = None


def add_entry(
    session: Session, *, actor: Person | None, item_id: int, data: dict[str, Any]
) -> ChecklistEntry:
    """Add a customer to tell by hand (one not recorded on a friction point)."""
    item = get_item(session, item_id)
    ensure_can_work_checklist(actor, item)
    name = (data.get("customer_name") or "").strip()
    contact = (data.get("contact") or "").strip()
    if not name:
        raise InvalidInput("customer_name must not be empty", field="customer_name")
    if not contact:
        raise InvalidInput("contact must not be empty", field="contact")
    channel = data.get("channel") or guess_channel(contact)
    status = data.get("status") or NotificationStatus.pending
    entry = ChecklistEntry(
        action_item_id=item.id, affected_customer_id=None, customer_name=name, contact=contact,
        channel=ContactChannel(channel), message=data.get("message") or "",
        status=NotificationStatus(status), note=data.get("note") or "",
    )
    if entry.status in ATTEMPTED:
        entry.notified_at = utcnow()
        entry.notified_by_id = actor.id if actor else None
    session.add(entry)
    session.flush()
    after_change(session, item, actor=actor, action="checklist_entry_added",
                 entity_type="checklist_entry", entity_id=entry.id,
                 changes={"customer_name": name, "contact": contact, "channel": entry.channel,
                          "status": entry.status})
    return entry


def update_entry(
    session: Session, *, actor: Person | None, item_id: int, entry_id: int,
    expected_version: int | None, data: dict[str, Any],
) -> ChecklistEntry:
    """Record how and whether a customer was told (channel, message, status, note)."""
    item = get_item(session, item_id)
    entry = get_entry(session, item_id, entry_id)
    ensure_can_work_checklist(actor, item)
    if expected_version is not None:
        check_version(entry, expected_version, "checklist entry")
    unknown = sorted(set(data) - set(EDITABLE))
    if unknown:
        raise InvalidInput(f"{unknown[0]} cannot be changed here", field=unknown[0])
    updates = {k: v for k, v in data.items() if v is not None}
    if "channel" in updates:
        updates["channel"] = ContactChannel(updates["channel"])
    if "status" in updates:
        updates["status"] = NotificationStatus(updates["status"])
    _stamp(entry, actor, updates)
    changes = apply_changes(entry, updates)
    if changes:
        session.flush()
        after_change(session, item, actor=actor, action="checklist_entry_updated",
                     entity_type="checklist_entry", entity_id=entry.id, changes=changes)
    return entry
