"""Training: whether employees must learn to deliver the change, and how far that has got."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.actions.access import ensure_can_edit, get_item
from tracker.actions.hooks import after_change
from tracker.actions.models import ActionItem, TrainingRecord
from tracker.activity.service import apply_changes
from tracker.api.versioning import check_version
from tracker.db import is_read_only
from tracker.errors import Conflict, InvalidInput
from tracker.people.models import Person

COUNTS = ("sessions_held", "people_trained", "target_count")
EDITABLE = ("needed", "audience", "notes", *COUNTS)


def training_for(session: Session, item: ActionItem) -> TrainingRecord:
    """The item's training record; created (not needed) for items made without one."""
    record = session.scalar(select(TrainingRecord).where(TrainingRecord.action_item_id == item.id))
    if record is None:
        # Every item made by create_action_item has one; this covers rows inserted otherwise.
        record = TrainingRecord(action_item_id=item.id, needed=False, audience="", sessions_held=0,
                                people_trained=0, target_count=0, notes="")
        if not is_read_only(session):  # a reader gets the default without storing it
            session.add(record)
            session.flush()
    return record


def validate_counts(data: dict[str, Any]) -> None:
    for field in COUNTS:
        value = data.get(field)
        whole = isinstance(value, int) and not isinstance(value, bool)
        if value is not None and (not whole or value < 0):
            raise InvalidInput(f"{field} must be a whole number of 0 or more", field=field)


def update_training(
    session: Session, *, actor: Person | None, item_id: int, expected_version: int | None,
    data: dict[str, Any],
) -> TrainingRecord:
    """Change needed/audience/sessions/people trained/target/notes of an item's training."""
    item = get_item(session, item_id)
    ensure_can_edit(actor, item)
    record = training_for(session, item)
    if expected_version is not None:
        check_version(record, expected_version, "training record")
    unknown = sorted(set(data) - set(EDITABLE))
    if unknown:
        raise InvalidInput(f"{unknown[0]} is not a training field", field=unknown[0])
    validate_counts(data)
    updates = {k: v for k, v in data.items() if v is not None}
    changes = apply_changes(record, updates)
    if changes:
        session.flush()
        after_change(session, item, actor=actor, action="training_updated",
                     entity_type="training_record", entity_id=record.id, changes=changes)
    return record


MAX_PEOPLE_PER_SESSION = 10_000


def record_session(
    session: Session, *, actor: Person | None, item_id: int, people: int, expected_version: int | None,
) -> TrainingRecord:
    """One more training session held, with `people` trained in it: the counts a trainer
    keeps, added to the record (with its version, so two trainers never lose a session)."""
    if isinstance(people, bool) or not isinstance(people, int) or not 0 <= people <= MAX_PEOPLE_PER_SESSION:
        raise InvalidInput(f"people must be a whole number from 0 to {MAX_PEOPLE_PER_SESSION}", field="people")
    item = get_item(session, item_id)
    ensure_can_edit(actor, item)
    record = training_for(session, item)
    if not record.needed:
        raise Conflict(f"action item {item.id} needs no training; mark training as needed on the item first",
                       field="people")
    return update_training(session, actor=actor, item_id=item_id, expected_version=expected_version,
                           data={"sessions_held": record.sessions_held + 1,
                                 "people_trained": record.people_trained + people})
