"""Who is still to be told: pending checklist entries of items whose fix has shipped.

Everything here is a handful of set-based queries whatever the queue's size: a page of groups
costs one query for the page's keys, one for their entries and one for the totals, driven by
the partial index of pending entries (contact_key, action_item_id). Nothing is read per row.

The queue is pending entries of items in the chosen phases (closing_loop and done by default:
the fix shipped; a done item may still owe news to a customer who turned up afterwards), never
of cancelled items (nobody is told about a dropped change) nor of items whose checklist a lead
waived (the lead decided the rest need not be told).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, distinct, func, select
from sqlalchemy.orm import Session

from tracker.actions.models import ActionItem, ChecklistEntry, ContactChannel, Phase, contact_key, pending_entry
from tracker.api.pagination import decode_cursor, encode_cursor
from tracker.closed_loop.messages import DraftSource, combined_draft, draft
from tracker.errors import InvalidInput

SHIPPED = (Phase.closing_loop, Phase.done)
# Every phase the queue can show, in the order the filter offers them; cancelled never.
QUEUE_PHASES = (Phase.closing_loop, Phase.done, Phase.training, Phase.implementing, Phase.planned,
                Phase.blocked)
ENTRIES_PER_ITEM = 50  # customers shown under one fix; the rest are a link to the item


class Grouping(StrEnum):
    customer = "customer"  # one group per person: tell them once about all their fixes
    item = "item"  # one group per fix


@dataclass(frozen=True)
class QueueFilters:
    phases: tuple[Phase, ...] = SHIPPED
    team_id: int | None = None
    item_id: int | None = None
    contact: str | None = None  # one person's entries (compared as contact_key does)

    def __post_init__(self) -> None:
        if not self.phases:
            object.__setattr__(self, "phases", SHIPPED)
        wrong = [p for p in self.phases if p not in QUEUE_PHASES]
        if wrong:
            raise InvalidInput(f"phase {wrong[0].value} is never in the queue: nobody is told about "
                               "a change that was dropped", field="phase")

    def items(self) -> list[ColumnElement[bool]]:
        """The items whose customers are in the queue."""
        conditions: list[ColumnElement[bool]] = [ActionItem.phase.in_(self.phases),
                                                 ActionItem.checklist_waived_reason.is_(None)]
        if self.team_id is not None:
            conditions.append(ActionItem.team_id == self.team_id)
        if self.item_id is not None:
            conditions.append(ActionItem.id == self.item_id)
        return conditions

    def where(self) -> list[ColumnElement[bool]]:
        """Pending entries of those items (the query must join ActionItem)."""
        conditions = [pending_entry(), *self.items()]
        if self.contact is not None:
            conditions.append(ChecklistEntry.contact_key == contact_key(self.contact))
        return conditions


def customer_dom_id(key: str) -> str:
    # Contacts can hold any character; pages need a safe, stable id for a person's group.
    return "customer-" + hashlib.sha256(key.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class QueueEntry:
    id: int
    version: int
    customer_name: str
    contact: str
    contact_key: str
    channel: ContactChannel
    item_id: int
    item_title: str
    item_phase: Phase
    item_deadline: date
    source: DraftSource

    @property
    def draft(self) -> str:
        return draft(self.source)


@dataclass(frozen=True)
class CustomerGroup:
    """One person owed news, with every pending entry of theirs the filters let through."""

    key: str
    entries: list[QueueEntry]

    @property
    def dom_id(self) -> str:
        return customer_dom_id(self.key)

    @property
    def first(self) -> QueueEntry:
        """The entry recorded first: its name and contact stand for the person."""
        return min(self.entries, key=lambda e: e.id)

    @property
    def customer_name(self) -> str:
        return self.first.customer_name

    @property
    def other_names(self) -> list[str]:
        """Other names the same contact was recorded under ("B. Carter" for "Ben Carter")."""
        return [n for n in dict.fromkeys(e.customer_name for e in self.entries) if n != self.customer_name]

    @property
    def contact(self) -> str:
        return self.first.contact

    @property
    def channel(self) -> ContactChannel:
        return self.first.channel

    @property
    def draft(self) -> str:
        return combined_draft([e.source for e in self.entries])


@dataclass(frozen=True)
class ItemGroup:
    """One fix with the customers still to be told about it."""

    item_id: int
    title: str
    phase: Phase
    deadline: date
    pending: int  # all of them; `entries` holds the first ENTRIES_PER_ITEM
    entries: list[QueueEntry]
    owed_elsewhere: dict[str, int] = field(default_factory=dict)  # contact key -> other fixes owed

    @property
    def dom_id(self) -> str:
        return f"item-{self.item_id}"


@dataclass(frozen=True)
class Totals:
    pending: int  # notifications
    customers: int  # distinct people
    fixes: int  # items


@dataclass(frozen=True)
class QueuePage:
    groups: list[Any]  # CustomerGroup or ItemGroup, as asked
    next_cursor: str | None
    totals: Totals


_ENTRY_COLUMNS: list[Any] = [ChecklistEntry.id, ChecklistEntry.version, ChecklistEntry.customer_name,
                  ChecklistEntry.contact, ChecklistEntry.contact_key, ChecklistEntry.channel,
                  ChecklistEntry.message, ActionItem.id.label("item_id"), ActionItem.title,
                  ActionItem.phase, ActionItem.deadline, ActionItem.customer_message_template]


def _entries_query(filters: QueueFilters) -> Select[Any]:
    return (select(*_ENTRY_COLUMNS)
            .join(ActionItem, ActionItem.id == ChecklistEntry.action_item_id)
            .where(*filters.where()))


def _entry(row: Any) -> QueueEntry:
    return QueueEntry(
        id=row.id, version=row.version, customer_name=row.customer_name, contact=row.contact,
        contact_key=row.contact_key, channel=row.channel, item_id=row.item_id,
        item_title=row.title, item_phase=row.phase, item_deadline=row.deadline,
        source=DraftSource(customer_name=row.customer_name, contact=row.contact, fix=row.title,
                           template=row.customer_message_template, message=row.message or ""))


def totals(session: Session, filters: QueueFilters) -> Totals:
    row = session.execute(
        select(func.count(), func.count(distinct(ChecklistEntry.contact_key)),
               func.count(distinct(ChecklistEntry.action_item_id)))
        .select_from(ChecklistEntry).join(ActionItem, ActionItem.id == ChecklistEntry.action_item_id)
        .where(*filters.where())).one()
    return Totals(pending=row[0], customers=row[1], fixes=row[2])


def _customers(session: Session, stmt: Select[Any], keys: Sequence[str]) -> list[CustomerGroup]:
    rows = session.execute(stmt.order_by(ChecklistEntry.contact_key, ActionItem.deadline, ChecklistEntry.id))
    grouped: dict[str, list[QueueEntry]] = defaultdict(list)
    for row in rows:
        grouped[row.contact_key].append(_entry(row))
    return [CustomerGroup(key=k, entries=grouped[k]) for k in keys if grouped.get(k)]


def customers_by_key(session: Session, filters: QueueFilters, keys: Sequence[str]) -> list[CustomerGroup]:
    """The groups of these people (in the order given), each soonest deadline first."""
    if not keys:
        return []
    return _customers(session, _entries_query(filters).where(ChecklistEntry.contact_key.in_(list(keys))), keys)


def _customers_between(session: Session, filters: QueueFilters, keys: Sequence[str]) -> list[CustomerGroup]:
    """A page's groups: its keys are consecutive in the queue, so one range reads all their
    entries (however many keys, never a parameter per key)."""
    if not keys:
        return []
    stmt = _entries_query(filters).where(ChecklistEntry.contact_key >= keys[0],
                                         ChecklistEntry.contact_key <= keys[-1])
    return _customers(session, stmt, keys)


def customer_page(session: Session, filters: QueueFilters, *, cursor: str | None, limit: int) -> QueuePage:
    """People in contact order (stable, so paging never skips or repeats anyone)."""
    stmt = (select(ChecklistEntry.contact_key)
            .join(ActionItem, ActionItem.id == ChecklistEntry.action_item_id)
            .where(*filters.where()))
    if cursor:
        after, _ = decode_cursor(cursor, ChecklistEntry.contact_key)
        stmt = stmt.where(ChecklistEntry.contact_key > after)
    keys = list(session.scalars(stmt.group_by(ChecklistEntry.contact_key)
                                .order_by(ChecklistEntry.contact_key).limit(limit + 1)))
    next_cursor = encode_cursor(keys[limit - 1], 0) if len(keys) > limit else None
    groups = _customers_between(session, filters, keys[:limit])
    return QueuePage(groups=groups, next_cursor=next_cursor, totals=totals(session, filters))


def items_by_id(session: Session, filters: QueueFilters, items: Sequence[ActionItem]) -> list[ItemGroup]:
    """The groups of these items (in the order given): their first customers and counts."""
    ids = [i.id for i in items]
    if not ids:
        return []
    where = [*filters.where(), ChecklistEntry.action_item_id.in_(ids)]
    counts = dict(session.execute(  # type: ignore[arg-type]
        select(ChecklistEntry.action_item_id, func.count())
        .join(ActionItem, ActionItem.id == ChecklistEntry.action_item_id)
        .where(*where).group_by(ChecklistEntry.action_item_id)).all())
    ranked = (select(*_ENTRY_COLUMNS, func.row_number().over(
        partition_by=ChecklistEntry.action_item_id, order_by=ChecklistEntry.id).label("n"))
        .join(ActionItem, ActionItem.id == ChecklistEntry.action_item_id).where(*where).subquery())
    rows = session.execute(select(ranked).where(ranked.c.n <= ENTRIES_PER_ITEM)
                           .order_by(ranked.c.item_id, ranked.c.id))
    entries: dict[int, list[QueueEntry]] = defaultdict(list)
    for row in rows:
        entries[row.item_id].append(_entry(row))
    keys = {e.contact_key for group in entries.values() for e in group}
    owed = _owed_per_person(session, filters, keys)
    return [ItemGroup(item_id=i.id, title=i.title, phase=i.phase, deadline=i.deadline,
                      pending=counts.get(i.id, 0), entries=entries.get(i.id, []),
                      owed_elsewhere={e.contact_key: owed.get(e.contact_key, 1) - 1
                                      for e in entries.get(i.id, [])})
            for i in items if counts.get(i.id)]


def _owed_per_person(session: Session, filters: QueueFilters, keys: set[str]) -> dict[str, int]:
    if not keys:
        return {}
    return dict(session.execute(  # type: ignore[arg-type]
        select(ChecklistEntry.contact_key, func.count())
        .join(ActionItem, ActionItem.id == ChecklistEntry.action_item_id)
        .where(*filters.where(), ChecklistEntry.contact_key.in_(sorted(keys)))
        .group_by(ChecklistEntry.contact_key)).all())


def item_page(session: Session, filters: QueueFilters, *, cursor: str | None, limit: int) -> QueuePage:
    """Fixes soonest deadline first (ties by id), each with the customers it still owes news."""
    owes = (select(ChecklistEntry.id).where(ChecklistEntry.action_item_id == ActionItem.id,
                                            pending_entry()).exists())
    stmt = select(ActionItem).where(*filters.items(), owes)
    if cursor:
        after, last_id = decode_cursor(cursor, ActionItem.deadline)
        stmt = stmt.where((ActionItem.deadline > after)
                          | ((ActionItem.deadline == after) & (ActionItem.id > last_id)))
    items = list(session.scalars(stmt.order_by(ActionItem.deadline, ActionItem.id).limit(limit + 1)))
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        next_cursor = encode_cursor(items[-1].deadline, items[-1].id)
    return QueuePage(groups=items_by_id(session, filters, items), next_cursor=next_cursor,
                     totals=totals(session, filters))


def page(session: Session, filters: QueueFilters, *, grouping: Grouping, cursor: str | None,
         limit: int) -> QueuePage:
    if grouping is Grouping.item:
        return item_page(session, filters, cursor=cursor, limit=limit)
    return customer_page(session, filters, cursor=cursor, limit=limit)
