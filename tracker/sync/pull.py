"""Applying a ticket's current state to its action item (from webhooks and reconciliation).

We never trust a webhook's payload: the worker re-reads the ticket (or reconciliation lists it)
and compares it with what we last knew (`snapshot`, `remote_status`). Only real differences are
applied, so redelivered, out-of-order and echoed events are no-ops.

Conflict rule, per field: if the tracker changed a field that has not reached the ticket yet
(it is in `dirty_fields`) and the ticket changed the same field too, the later change wins,
comparing the ticket's `updated` time with the action item's `updated_at`; on a tie the tracker
wins. The losing side is recorded in the activity log.

Phases: a ticket moved ahead (e.g. closed) walks the item forward as far as the phase rules
allow (training skipped when not needed); if the done-gate refuses (training or checklist not
finished) the item stops short and the activity log says why. Reopening a done ticket reopens
the item. Moves the rules refuse are logged, never forced.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.actions import phases
from tracker.actions import service as actions
from tracker.actions.models import ActionItem, Phase
from tracker.activity.service import record
from tracker.errors import TrackerError
from tracker.people.models import Person
from tracker.sync.models import TargetKind, TicketLink, TicketTarget
from tracker.sync.ports import RemoteTicket

log = logging.getLogger(__name__)

MAIN_LINE = [Phase.planned, Phase.implementing, Phase.training, Phase.closing_loop, Phase.done]
VALUE_FIELDS = ("title", "assignee", "due", "priority")


def apply_remote(
    session: Session, link: TicketLink, remote: RemoteTicket, *, target: TicketTarget,
    actors: Sequence[str | None],
) -> list[str]:
    """Bring the item in line with the ticket; returns a note per field applied or refused.

    `actors`: who changed the ticket, as far as we know (the webhooks' senders; none for
    reconciliation); every change applied is logged under all of them."""
    item = session.get(ActionItem, link.action_item_id)
    if item is None:
        return []
    label = vendor_label(target.kind, actors)
    snapshot = dict(link.snapshot or {})
    remote_values = remote.synced()
    dirty = set(link.dirty_fields or [])
    notes: list[str] = []

    changed = [f for f in VALUE_FIELDS if remote_values.get(f) != snapshot.get(f)]
    status_changed = remote.status != link.remote_status
    if status_changed:
        changed.append("phase")
    for field in changed:
        if field in dirty and not _remote_wins(item, remote):
            notes.append(f"{field}: kept the tracker's newer value (the ticket changed it too)")
            _log(session, item, label, "sync_conflict", {"field": field, "kept": "tracker",
                                                          "ticket_value": remote_values.get(field)})
            continue
        dirty.discard(field)
        note = _apply_field(session, item, field, remote, target.kind, label)
        if note:
            notes.append(note)
        if field != "phase":
            snapshot[field] = remote_values.get(field)
    if status_changed:
        snapshot["phase"] = remote_values.get("phase")
    link.snapshot = snapshot
    link.dirty_fields = sorted(dirty)
    link.remote_status = remote.status
    link.remote_updated_at = remote.updated_at
    link.remote_url = remote.url
    return notes


LABEL_LENGTH = 200  # ActivityEntry.actor_label


def vendor_label(kind: TargetKind, actors: Sequence[str | None]) -> str:
    """"jira:<accountId>", or "jira:<id1>, <id2>" when several people changed the ticket; None
    among them (a webhook without a sender, or past a bound) adds "and others", or is "someone"
    when alone."""
    names = list(dict.fromkeys(a for a in actors if a))
    prefix = f"{kind.value}:"
    if not names:
        return prefix + "someone"
    unknown = not all(actors)
    while True:
        label = prefix + ", ".join(names) + (" and others" if unknown else "")
        if len(label) <= LABEL_LENGTH or len(names) == 1:
            return label[:LABEL_LENGTH]
        names.pop()
        unknown = True


def _remote_wins(item: ActionItem, remote: RemoteTicket) -> bool:
    return remote.updated_at > item.updated_at


def _log(session: Session, item: ActionItem, label: str, action: str, changes: dict[str, Any]) -> None:
    record(session, actor=None, actor_label=label, entity_type="action_item", entity_id=item.id,
           action=action, changes=changes, action_item_id=item.id, moment_id=item.moment_id)


def _apply_field(
    session: Session, item: ActionItem, field: str, remote: RemoteTicket, kind: TargetKind, label: str
) -> str | None:
    data: dict[str, Any] = {}
    if field == "title" and remote.title.strip():
        data["title"] = remote.title.strip()[:200]
    elif field == "due" and remote.due is not None:
        data["deadline"] = remote.due
    elif field == "priority" and remote.priority is not None:
        data["priority"] = remote.priority
    elif field == "assignee":
        person = _person_for(session, remote.assignee, kind)
        if person is None:
            _log(session, item, label, "sync_refused",
                 {"field": "assignee", "ticket_value": remote.assignee,
                  "reason": "not a person in the tracker (set their identity on their profile)"})
            return f"assignee {remote.assignee!r} is not a tracker person; owner unchanged"
        data["owner_id"] = person.id
    elif field == "phase":
        return _apply_phase(session, item, remote, label)
    if not data:
        return None
    try:
        with session.begin_nested():
            actions.update_action_item(session, actor=None, actor_label=label, item_id=item.id,
                                       expected_version=None, data=data)
    except TrackerError as exc:
        _log(session, item, label, "sync_refused", {"field": field, "reason": exc.message})
        return f"{field}: {exc.message}"
    return None


def _person_for(session: Session, identity: str | None, kind: TargetKind) -> Person | None:
    if not identity:
        return None
    column = Person.jira_account_id if kind is TargetKind.jira else Person.github_login
    return session.scalar(select(Person).where(column == identity, Person.active.is_(True)))


def _apply_phase(session: Session, item: ActionItem, remote: RemoteTicket, label: str) -> str | None:
    target = remote.phase
    if target is None or target is item.phase:
        return None
    reason = f"{remote.status} in the ticket ({label})"
    for step in _path(session, item, target):
        try:
            with session.begin_nested():
                actions.change_phase(session, actor=None, actor_label=label, item_id=item.id, to=step,
                                     expected_version=None, reason=reason)
        except TrackerError as exc:
            _log(session, item, label, "sync_refused",
                 {"field": "phase", "ticket_status": remote.status, "wanted": target.value,
                  "stopped_at": item.phase.value, "reason": exc.message})
            return f"phase: stopped at {item.phase.value}: {exc.message}"
    return None


def _path(session: Session, item: ActionItem, target: Phase) -> list[Phase]:
    """The steps from the item's phase to `target`: one step, or forward along the main line."""
    gate = actions.gate_state(session, item)
    allowed = phases.allowed_next(item, gate)
    if target in allowed or item.phase not in MAIN_LINE or target not in MAIN_LINE:
        return [target]
    if MAIN_LINE.index(target) < MAIN_LINE.index(item.phase):
        return [target]  # a move back the rules will refuse, with their own explanation
    steps: list[Phase] = []
    current = item.phase
    training_needed = gate.training_needed and not gate.training_waived
    for phase in MAIN_LINE[MAIN_LINE.index(current) + 1: MAIN_LINE.index(target) + 1]:
        if phase is Phase.training and not training_needed:
            continue
        steps.append(phase)
    return steps
