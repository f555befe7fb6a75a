"""Marking many checklist entries at once: one customer told about several fixes, or a
selection of the queue. Each entry goes through tracker.actions.checklist.update_entry, as
PATCH /action-items/{id}/checklist/{entry_id} does: the same checks, stamps, activity entry and
listeners, so the done gate and everything that counts the checklist stay right.

Every entry names the version it was marked against. An entry a colleague changed meanwhile is
left as they made it and reported with who did it (from the activity log); the other entries are
still marked, since each one records a separate fact ("this person was told about this fix").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from tracker.actions import checklist
from tracker.actions.access import ensure_can_work_checklist
from tracker.actions.models import ActionItem, ChecklistEntry, NotificationStatus, Phase, pending_entry
from tracker.activity.models import ActivityEntry
from tracker.closed_loop.messages import DraftSource, draft
from tracker.errors import InvalidInput, PreconditionFailed
from tracker.people.models import Person

MAX_ENTRIES = 500  # one request; a bigger selection is a sign of marking people nobody told
MAX_MESSAGE = 5_000  # as a checklist entry's message
MARKS = tuple(sorted(checklist.ATTEMPTED))  # a mark says someone tried to reach the customer


@dataclass(frozen=True)
class EntryRef:
    id: int
    version: int  # the version the caller saw


@dataclass(frozen=True)
class StaleMark:
    """An entry someone else changed after the caller saw it: left as they made it."""

    entry: ChecklistEntry
    item: ActionItem
    changed_by: str  # the activity log's actor label ("system" if the log has nothing)
    changed_at: datetime | None
    what: str  # the change in words: "status: pending → notified"


@dataclass
class MarkResult:
    marked: list[ChecklistEntry] = field(default_factory=list)
    stale: list[StaleMark] = field(default_factory=list)
    # Items in closing_loop left with nobody to tell: their owner can now mark them done.
    cleared: list[ActionItem] = field(default_factory=list)


def _check(refs: Sequence[EntryRef], status: NotificationStatus, message: str | None) -> None:
    if status not in checklist.ATTEMPTED:
        raise InvalidInput(f"status must be one of {[s.value for s in MARKS]}: the queue records that "
                           "someone tried to reach the customer", field="status")
    if not refs:
        raise InvalidInput("entries must name at least one checklist entry", field="entries")
    if len(refs) > MAX_ENTRIES:
        raise InvalidInput(f"entries may name at most {MAX_ENTRIES} checklist entries at once",
                           field="entries")
    seen: set[int] = set()
    for n, ref in enumerate(refs):
        if ref.id in seen:
            raise InvalidInput(f"checklist entry {ref.id} is named twice", field=f"entries.{n}.id")
        seen.add(ref.id)
    if message is not None and ("\x00" in message or len(message) > MAX_MESSAGE):
        raise InvalidInput(f"message must be at most {MAX_MESSAGE} characters, without NUL characters",
                           field="message")


def _load(session: Session, refs: Sequence[EntryRef]) -> tuple[dict[int, ChecklistEntry], dict[int, ActionItem]]:
    ids = [r.id for r in refs]
    entries = {e.id: e for e in session.scalars(select(ChecklistEntry).where(ChecklistEntry.id.in_(ids)))}
    missing = [(n, r.id) for n, r in enumerate(refs) if r.id not in entries]
    if missing:
        n, entry_id = missing[0]
        raise InvalidInput(f"checklist entry {entry_id} does not exist", field=f"entries.{n}.id")
    item_ids = {e.action_item_id for e in entries.values()}
    items = {i.id: i for i in session.scalars(select(ActionItem).where(ActionItem.id.in_(item_ids)))}
    return entries, items


def _who_changed(session: Session, entries: Sequence[ChecklistEntry]) -> dict[int, ActivityEntry]:
    """The newest activity entry of each of these checklist entries, in one query."""
    newest: dict[int, ActivityEntry] = {}
    rows = session.scalars(select(ActivityEntry).where(
        ActivityEntry.entity_type == "checklist_entry",
        ActivityEntry.entity_id.in_([e.id for e in entries])).order_by(ActivityEntry.id.desc()))
    for row in rows:
        newest.setdefault(row.entity_id, row)
    return newest


def _in_words(changes: dict[str, object]) -> str:
    """What the colleague changed, short: statuses and channels in full, texts just named (the
    stamps of who and when are said by the caller)."""
    parts = []
    for name, change in changes.items():
        if not (isinstance(change, dict) and set(change) == {"from", "to"}):
            continue
        if name in ("status", "channel"):
            parts.append(f"{name}: {change['from']} → {change['to']}")
        elif name in ("message", "note"):
            parts.append(f"{name} edited")
    return "; ".join(parts)


def mark_entries(
    session: Session, *, actor: Person | None, refs: Sequence[EntryRef], status: NotificationStatus,
    message: str | None = None, note: str | None = None, record_drafts: bool = False,
) -> MarkResult:
    """Mark each entry `status`. `message` is what the customer was sent (saved on every marked
    entry); without one, `record_drafts` saves each entry's draft on entries that have no
    message yet (what a mail merge of the queue's CSV sent them)."""
    if message is not None:
        message = message.strip() or None  # an emptied message box sends no message
    _check(refs, status, message)
    entries, items = _load(session, refs)
    for entry in entries.values():  # all or nothing for permissions: no half-done selection
        ensure_can_work_checklist(actor, items[entry.action_item_id])
    result = MarkResult()
    stale: list[ChecklistEntry] = []
    for ref in refs:
        entry = entries[ref.id]
        item = items[entry.action_item_id]
        data: dict[str, object] = {"status": status}
        if message is not None:
            data["message"] = message
        elif record_drafts and not entry.message.strip():
            data["message"] = draft(DraftSource(customer_name=entry.customer_name, contact=entry.contact,
                                                fix=item.title, template=item.customer_message_template,
                                                message=""))
        if note:
            data["note"] = note
        try:
            with session.begin_nested():
                checklist.update_entry(session, actor=actor, item_id=item.id, entry_id=entry.id,
                                       expected_version=ref.version, data=data)
        except (PreconditionFailed, StaleDataError):
            stale.append(entry)
            continue
        result.marked.append(entry)
    if stale:
        for entry in stale:
            session.refresh(entry)  # as the colleague left it
        newest = _who_changed(session, stale)
        for entry in stale:
            log = newest.get(entry.id)
            result.stale.append(StaleMark(
                entry=entry, item=items[entry.action_item_id],
                changed_by=log.actor_label if log else "system", changed_at=log.at if log else None,
                what=_in_words(log.changes) if log else ""))
    result.cleared = _cleared(session, [items[i] for i in {e.action_item_id for e in result.marked}])
    return result


def _cleared(session: Session, items: Sequence[ActionItem]) -> list[ActionItem]:
    closing = [i for i in items if i.phase is Phase.closing_loop]
    if not closing:
        return []
    still = set(session.scalars(select(ChecklistEntry.action_item_id).where(
        ChecklistEntry.action_item_id.in_([i.id for i in closing]), pending_entry())
        .group_by(ChecklistEntry.action_item_id).having(func.count() > 0)))
    return sorted((i for i in closing if i.id not in still), key=lambda i: i.id)
