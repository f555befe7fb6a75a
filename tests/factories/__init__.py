"""Small factories for test data. Each commits nothing: the test's transaction is rolled back."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy.orm import Session

from tracker.auth.service import issue_token
from tracker.people.models import Person, Role, Team

_seq = itertools.count(1)


def person(session: Session, role: Role = Role.owner, **fields: Any) -> Person:
    n = next(_seq)
    values: dict[str, Any] = {"name": f"Person {n}", "email": f"person{n}@example.com", "role": role}
    values.update(fields)
    p = Person(**values)
    session.add(p)
    session.flush()
    return p


def auth_headers(session: Session, who: Person) -> dict[str, str]:
    _, secret = issue_token(session, person=who, name="test")
    session.commit()  # a savepoint release: visible to the app's own session
    return {"Authorization": f"Bearer {secret}"}


def user(session: Session, role: Role = Role.owner, **fields: Any) -> tuple[Person, dict[str, str]]:
    p = person(session, role, **fields)
    return p, auth_headers(session, p)


def team(session: Session, **fields: Any) -> Team:
    n = next(_seq)
    values: dict[str, Any] = {"name": f"Team {n}", "department": "product"}
    values.update(fields)
    t = Team(**values)
    session.add(t)
    session.flush()
    return t


def world(session: Session) -> dict[str, Any]:
    """A small programme touching every table, for tests that sweep the whole API."""
    from tests.factories.programme import build_world

    return build_world(session)
