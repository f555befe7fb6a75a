"""A seeded week for digest tests: items written straight to the tables with the history
(activity entries at chosen times) the digest reads."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from tracker.actions.models import (
    ActionItem,
    ChecklistEntry,
    ContactChannel,
    NotificationStatus,
    Phase,
    Priority,
    TrainingRecord,
)
from tracker.activity.service import record
from tracker.people.models import Person, Team

_seq = itertools.count(1)


def item(session: Session, team: Team, owner: Person, title: str, phase: Phase, deadline: date,
         *, completed_at: datetime | None = None, moment_id: int | None = None, **fields: Any) -> ActionItem:
    obj = ActionItem(title=title, team_id=team.id, owner_id=owner.id, deadline=deadline,
                     priority=Priority.medium, phase=phase, completed_at=completed_at,
                     moment_id=moment_id, **fields)
    session.add(obj)
    session.flush()
    return obj


def moved(session: Session, obj: ActionItem, frm: Phase, to: Phase, when: datetime) -> None:
    entry = record(session, actor=None, actor_label="test", entity_type="action_item", entity_id=obj.id,
                   action="phase_changed", changes={"phase": {"from": frm.value, "to": to.value}},
                   action_item_id=obj.id, moment_id=obj.moment_id)
    entry.at = when
    session.flush()


def checklist(session: Session, obj: ActionItem, *statuses: NotificationStatus) -> None:
    for status in statuses:
        n = next(_seq)
        session.add(ChecklistEntry(action_item_id=obj.id, customer_name=f"Customer {n}",
                                   contact=f"c{n}@example.com", channel=ContactChannel.email, status=status))
    session.flush()


def training(session: Session, obj: ActionItem, *, trained: int, target: int, sessions: int) -> None:
    session.add(TrainingRecord(action_item_id=obj.id, needed=True, people_trained=trained,
                               target_count=target, sessions_held=sessions))
    session.flush()
