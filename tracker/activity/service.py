"""The activity log: every change names its actor and what changed from what to what."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from tracker.activity.models import ActivityEntry
from tracker.activity.source import Source, source_of
from tracker.people.models import Person


def _jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def apply_changes(obj: object, updates: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Set the given attributes and return {field: {"from", "to"}} for those that really changed."""
    changes: dict[str, dict[str, Any]] = {}
    for field, new in updates.items():
        old = getattr(obj, field)
        if old != new:
            setattr(obj, field, new)
            changes[field] = {"from": _jsonable(old), "to": _jsonable(new)}
    return changes


def record(
    session: Session,
    *,
    actor: Person | None,
    entity_type: str,
    entity_id: int,
    action: str,
    changes: dict[str, Any] | None = None,
    action_item_id: int | None = None,
    moment_id: int | None = None,
    actor_label: str | None = None,
) -> ActivityEntry:
    """Append one entry. `actor=None` is the system (a sweep, a sync); say which in actor_label."""
    label = actor_label or (f"{actor.name} <{actor.email}>" if actor else "system")
    entry = ActivityEntry(
        actor_id=actor.id if actor else None,
        actor_label=label,
        source=source_of(label, has_actor=actor is not None).value,
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        changes={k: _jsonable(v) for k, v in (changes or {}).items()},
        action_item_id=action_item_id,
        moment_id=moment_id,
    )
    session.add(entry)
    return entry


def activity_query(
    *,
    entity_type: str | None = None,
    entity_id: int | None = None,
    action_item_id: int | None = None,
    moment_id: int | None = None,
    actor_id: int | None = None,
    source: Source | None = None,
) -> Select[ActivityEntry]:
    stmt = select(ActivityEntry)
    if source is not None:
        stmt = stmt.where(ActivityEntry.source == source.value)
    if entity_type is not None:
        stmt = stmt.where(ActivityEntry.entity_type == entity_type)
    if entity_id is not None:
        stmt = stmt.where(ActivityEntry.entity_id == entity_id)
    if action_item_id is not None:
        stmt = stmt.where(ActivityEntry.action_item_id == action_item_id)
    if moment_id is not None:
        stmt = stmt.where(ActivityEntry.moment_id == moment_id)
    if actor_id is not None:
        stmt = stmt.where(ActivityEntry.actor_id == actor_id)
    return stmt
