"""Keeping an action item's closed-loop checklist in step with the customers it must tell.

An item's sources are the friction points grouped under its moment and the friction point its
investigation was promoted from; their affected customers are the people to tell about the fix.
`sync_checklist` compares the checklist with them and mends the difference. It seeds a new
item's checklist, and runs again whenever friction changes (tracker/friction/hooks.py: a
customer added or removed, customers imported, a point grouped, ungrouped or moved):

- A customer not yet listed is added as pending. A person is listed once: by affected-customer
  id, and by contact (case and spaces ignored), because the same person recorded on two
  friction points should be told once. Hand-added entries count for the contact rule too.
- An entry whose customer no longer feeds the item (deleted, or their friction point left the
  moment) is removed *while it is still pending*. Nobody was told, so no record of closing the
  loop is lost, and a pending entry would hold the done gate for someone no longer affected.
  We remove it rather than mark it "not needed" so the checklist, and everything that counts
  it (item detail, chain, digest), lists only people who must be or were told. The removal's
  activity entry keeps the name, contact, channel, message and note; if the customer becomes
  affected again they are added afresh.
- If that customer's contact is still affected through another friction point, the entry
  follows that record instead (relinked) and stays.
- Entries where someone tried to reach the customer (notified, acknowledged, unreachable) are
  never removed or changed: they are the record that the loop was closed. Hand-added entries
  (no source customer) are left alone too.

Every change goes through `hooks.after_change`, one activity entry per checklist entry, with
the reason. Done items are not reopened: a customer who turns up afterwards is added as pending
and the log says it came after the item was done, so the lead sees who is still to be told.
Cancelled items are skipped (nobody will be told about a change that was dropped); they are
brought in step when reinstated.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from tracker.actions.checklist import guess_channel
from tracker.actions.hooks import after_change
from tracker.actions.models import ActionItem, ChecklistEntry, NotificationStatus, Phase, contact_key
from tracker.friction.hooks import CustomersChanged
from tracker.friction.models import AffectedCustomer, FrictionPoint
from tracker.investigations.models import Investigation
from tracker.people.models import Person

# Kept in the removal's activity entry: everything someone may have typed into the entry.
_SNAPSHOT = ("customer_name", "contact", "channel", "message", "status", "note",
             "affected_customer_id")


@dataclass
class ChecklistSync:
    """What one sync changed (the entries added, removed or moved to another source record)."""

    added: list[ChecklistEntry] = field(default_factory=list)
    removed: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (entry id, snapshot)
    relinked: list[tuple[ChecklistEntry, int]] = field(default_factory=list)  # (entry, old id)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.relinked)


def affected_customers(
    session: Session, item: ActionItem, *, leaving: Iterable[int] = ()
) -> list[AffectedCustomer]:
    """The customers of the item's friction points, oldest first, minus those `leaving`."""
    fp_id = None
    if item.investigation_id is not None:
        fp_id = session.scalar(
            select(Investigation.friction_point_id).where(Investigation.id == item.investigation_id)
        )
    sources: list[ColumnElement[bool]] = []
    if item.moment_id is not None:
        sources.append(FrictionPoint.moment_id == item.moment_id)
    if fp_id is not None:
        sources.append(FrictionPoint.id == fp_id)
    if not sources:
        return []
    gone = set(leaving)
    rows = session.scalars(
        select(AffectedCustomer)
        .join(FrictionPoint, FrictionPoint.id == AffectedCustomer.friction_point_id)
        .where(or_(*sources))
        .order_by(AffectedCustomer.id)
    )
    return [c for c in rows if c.id not in gone]


def sync_checklist(
    session: Session, item: ActionItem, *, leaving: Iterable[int] = ()
) -> ChecklistSync:
    """Bring the item's checklist in step with its sources (rules in the module docstring).

    `leaving`: customers about to be deleted, counted as gone already.
    """
    customers = affected_customers(session, item, leaving=leaving)
    live = {c.id for c in customers}
    by_contact: dict[str, AffectedCustomer] = {}
    for customer in customers:
        by_contact.setdefault(contact_key(customer.contact), customer)
    entries = list(session.scalars(
        select(ChecklistEntry).where(ChecklistEntry.action_item_id == item.id)
        .order_by(ChecklistEntry.id)))
    result = ChecklistSync()
    kept = _drop_unaffected(session, entries, live, by_contact, result)
    _add_newly_affected(session, item, customers, kept, result)
    return result


def _drop_unaffected(
    session: Session, entries: list[ChecklistEntry], live: set[int],
    by_contact: dict[str, AffectedCustomer], result: ChecklistSync,
) -> list[ChecklistEntry]:
    """Remove or relink pending entries whose customer no longer feeds the item."""
    linked = {e.affected_customer_id for e in entries if e.affected_customer_id is not None}
    kept: list[ChecklistEntry] = []
    for entry in entries:
        source = entry.affected_customer_id
        if source is None or source in live or entry.status != NotificationStatus.pending:
            kept.append(entry)
            continue
        same = by_contact.get(contact_key(entry.contact))
        if same is not None and same.id not in linked:
            entry.affected_customer_id = same.id
            linked.add(same.id)
            result.relinked.append((entry, source))
            kept.append(entry)
            continue
        result.removed.append((entry.id, {k: getattr(entry, k) for k in _SNAPSHOT}))
        session.delete(entry)
    # Deletes first: a later insert may reuse a removed entry's contact.
    session.flush()
    return kept


def _add_newly_affected(
    session: Session, item: ActionItem, customers: list[AffectedCustomer],
    kept: list[ChecklistEntry], result: ChecklistSync,
) -> None:
    seen_ids = {e.affected_customer_id for e in kept if e.affected_customer_id is not None}
    seen_contacts = {contact_key(e.contact) for e in kept}
    for customer in customers:
        key = contact_key(customer.contact)
        if customer.id in seen_ids or key in seen_contacts:
            continue
        seen_ids.add(customer.id)
        seen_contacts.add(key)
        entry = ChecklistEntry(
            action_item_id=item.id, affected_customer_id=customer.id, customer_name=customer.name,
            contact=customer.contact, channel=guess_channel(customer.contact), message="",
            status=NotificationStatus.pending, note="",
        )
        session.add(entry)
        result.added.append(entry)
    session.flush()


def announce(
    session: Session, item: ActionItem, result: ChecklistSync, *, actor: Person | None,
    reason: str, actor_label: str | None = None,
) -> None:
    """One activity entry (and listener call) per checklist entry the sync changed."""
    late = " after the item was done" if item.phase is Phase.done else ""
    for entry in result.added:
        after_change(session, item, actor=actor, actor_label=actor_label,
                     action="checklist_entry_added", entity_type="checklist_entry",
                     entity_id=entry.id, changes={
                         "customer_name": entry.customer_name, "contact": entry.contact,
                         "channel": entry.channel, "status": entry.status,
                         "affected_customer_id": entry.affected_customer_id,
                         "reason": reason + late, "item_phase": item.phase})
    for entry_id, snapshot in result.removed:
        after_change(session, item, actor=actor, actor_label=actor_label,
                     action="checklist_entry_removed", entity_type="checklist_entry",
                     entity_id=entry_id, changes={**snapshot, "reason": reason,
                                                  "item_phase": item.phase})
    for entry, old in result.relinked:
        after_change(session, item, actor=actor, actor_label=actor_label,
                     action="checklist_entry_updated", entity_type="checklist_entry",
                     entity_id=entry.id, changes={
                         "affected_customer_id": {"from": old, "to": entry.affected_customer_id},
                         "reason": reason})


def resync(
    session: Session, item: ActionItem, *, actor: Person | None, reason: str,
    actor_label: str | None = None,
) -> ChecklistSync:
    """Sync one item's checklist and log what changed."""
    result = sync_checklist(session, item)
    announce(session, item, result, actor=actor, reason=reason, actor_label=actor_label)
    return result


def items_fed_by(
    session: Session, *, friction_point_ids: Iterable[int], moment_ids: Iterable[int]
) -> list[ActionItem]:
    """Items that are not cancelled whose checklist draws on these friction points or moments."""
    promoted_from = select(Investigation.id).where(
        Investigation.friction_point_id.in_(list(friction_point_ids)))
    fed: list[ColumnElement[bool]] = [ActionItem.investigation_id.in_(promoted_from)]
    moments = list(moment_ids)
    if moments:
        fed.append(ActionItem.moment_id.in_(moments))
    return list(session.scalars(
        select(ActionItem).where(or_(*fed), ActionItem.phase != Phase.cancelled)
        .order_by(ActionItem.id)))


def on_customers_changed(session: Session, event: CustomersChanged) -> None:
    """The friction listener: sync every item those friction points or moments feed."""
    for item in items_fed_by(session, friction_point_ids=event.friction_point_ids,
                             moment_ids=event.moment_ids):
        result = sync_checklist(session, item, leaving=event.leaving_customer_ids)
        announce(session, item, result, actor=event.actor, reason=event.reason)
