"""Input checks shared by the action-item services; they run before anything is written.

Referenced ids that do not exist are the caller's input error (422 naming the field), not 404.
"""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from tracker.actions.models import Priority
from tracker.errors import InvalidInput
from tracker.investigations.models import Investigation
from tracker.moments.models import MomentOfTruth
from tracker.people.models import Person, Role, Team

ASSIGNABLE_ROLES = frozenset({Role.owner, Role.lead, Role.admin})


def text_of(value: Any, field: str, *, max_len: int | None = None, required: bool = True) -> str:
    text = value.strip() if isinstance(value, str) else None
    if text is None or (required and not text):
        raise InvalidInput(f"{field} must be non-empty text", field=field)
    if "\x00" in text:  # PostgreSQL cannot store NUL characters in text
        raise InvalidInput(f"{field} must not contain NUL characters", field=field)
    if max_len is not None and len(text) > max_len:
        raise InvalidInput(f"{field} must be at most {max_len} characters", field=field)
    return text


def owner_of(session: Session, owner_id: Any) -> Person:
    person = session.get(Person, owner_id) if isinstance(owner_id, int) else None
    if person is None:
        raise InvalidInput(f"person {owner_id} does not exist", field="owner_id")
    if not person.active:
        raise InvalidInput(f"person {owner_id} is deactivated", field="owner_id")
    if person.role not in ASSIGNABLE_ROLES:
        raise InvalidInput(f"person {owner_id} is a {person.role.value}; owners must be an owner, "
                           "lead or admin", field="owner_id")
    return person


def team_of(session: Session, team_id: Any) -> Team:
    team = session.get(Team, team_id) if isinstance(team_id, int) else None
    if team is None:
        raise InvalidInput(f"team {team_id} does not exist", field="team_id")
    return team


def deadline_of(value: Any) -> date:
    if isinstance(value, str):
        with contextlib.suppress(ValueError):  # left a str: refused just below
            value = date.fromisoformat(value)
    if not isinstance(value, date):
        raise InvalidInput("deadline must be a date (YYYY-MM-DD)", field="deadline")
    return value


def priority_of(value: Any) -> Priority:
    try:
        return Priority(value)
    except ValueError as exc:
        raise InvalidInput(f"priority must be one of {[p.value for p in Priority]}",
                           field="priority") from exc


def links(session: Session, moment_id: Any, investigation_id: Any) -> tuple[int | None, int | None]:
    """Check the moment/investigation ids; an investigation implies its moment."""
    if investigation_id is not None:
        inv = (session.get(Investigation, investigation_id)
               if isinstance(investigation_id, int) else None)
        if inv is None:
            raise InvalidInput(f"investigation {investigation_id} does not exist",
                               field="investigation_id")
        if moment_id is None:
            moment_id = inv.moment_id
        elif moment_id != inv.moment_id:
            raise InvalidInput(f"investigation {investigation_id} belongs to moment "
                               f"{inv.moment_id}, not {moment_id}", field="investigation_id")
    if moment_id is not None and (
        not isinstance(moment_id, int) or session.get(MomentOfTruth, moment_id) is None
    ):
        raise InvalidInput(f"moment of truth {moment_id} does not exist", field="moment_id")
    return moment_id, investigation_id
