"""THE single place every action-item mutation passes through: `after_change`.

Every service function that changes an action item or one of its parts (training record,
checklist entry, progress update, work plan, phase, waiver) ends by calling `after_change`.
It (1) writes the activity-log entry, tagged with `action_item_id` and `moment_id` so the
item's and the moment's histories can be queried, and (2) hands a `ActionItemChange` to every
registered listener.

Integrations hook in here, not in each service function: the Jira/GitHub sync registers a
listener that writes an outbox row when the phase, owner or deadline changes; Slack registers
one that refreshes a posted message. Listeners run inside the request's transaction, before
commit, so they must only write rows (outbox), never call a remote API. To avoid echo loops, a
sync listener should ignore changes whose `actor_label` names its own system (e.g. "jira:...").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from tracker.actions.models import ActionItem
from tracker.activity.service import record
from tracker.people.models import Person


@dataclass(frozen=True)
class ActionItemChange:
    item: ActionItem
    actor: Person | None
    actor_label: str | None
    action: str  # "created", "updated", "phase_changed", "waived", "training_updated", ...
    entity_type: str  # "action_item", "training_record", "checklist_entry", "progress_update"
    entity_id: int
    changes: dict[str, Any]


Listener = Callable[[Session, ActionItemChange], None]
_listeners: list[Listener] = []


def add_listener(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def remove_listener(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def after_change(
    session: Session,
    item: ActionItem,
    *,
    actor: Person | None,
    action: str,
    changes: dict[str, Any],
    entity_type: str = "action_item",
    entity_id: int | None = None,
    actor_label: str | None = None,
) -> ActionItemChange:
    """Log one change of `item` (or of a part of it) and notify the listeners."""
    event = ActionItemChange(
        item=item, actor=actor, actor_label=actor_label, action=action,
        entity_type=entity_type, entity_id=entity_id if entity_id is not None else item.id,
        changes=changes,
    )
    record(
        session, actor=actor, actor_label=actor_label, entity_type=event.entity_type,
        entity_id=event.entity_id, action=action, changes=changes,
        action_item_id=item.id, moment_id=item.moment_id,
    )
    for listener in list(_listeners):
        listener(session, event)
    return event
