"""One-time links to set a password: an admin's invitation, or a reset. Shown once, stored as
SHA-256, expiring, used at most once; issuing a new one voids the person's older links."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tracker.activity.service import record
from tracker.auth.models import PasswordLink
from tracker.auth.passwords import has_password, set_password
from tracker.auth.service import hash_token
from tracker.errors import Forbidden, InvalidInput
from tracker.people.models import Person, Role
from tracker.types import utcnow

LINK_LIFETIME = timedelta(hours=72)
Purpose = Literal["invite", "reset"]


def link_path(secret: str) -> str:
    return f"/set-password/{secret}"


def issue_link(session: Session, *, actor: Person | None, person: Person) -> tuple[PasswordLink, str]:
    """A fresh link for `person` (admins only; `actor=None` is the CLI). The secret is returned
    once: the caller shows it and forgets it."""
    if actor is not None and actor.role is not Role.admin:
        raise Forbidden("only an admin may invite people or reset their password")
    if not person.active:
        raise InvalidInput(f"{person.email} is deactivated; reactivate them first", field="person_id")
    now = utcnow()
    session.execute(update(PasswordLink)
                    .where(PasswordLink.person_id == person.id, PasswordLink.used_at.is_(None))
                    .values(used_at=now))
    purpose: Purpose = "reset" if has_password(session, person.id) else "invite"
    secret = secrets.token_urlsafe(32)
    link = PasswordLink(person_id=person.id, token_hash=hash_token(secret), purpose=purpose,
                        created_by_id=actor.id if actor else None, created_at=now,
                        expires_at=now + LINK_LIFETIME)
    session.add(link)
    session.flush()
    record(session, actor=actor, entity_type="person", entity_id=person.id,
           action="password_link_issued", changes={"purpose": purpose, "expires_at": link.expires_at})
    return link, secret


def find_link(session: Session, secret: str) -> tuple[PasswordLink, Person] | None:
    """The usable link (unused, unexpired, active person) behind a secret, or None."""
    row = session.execute(
        select(PasswordLink, Person).join(Person, Person.id == PasswordLink.person_id)
        .where(PasswordLink.token_hash == hash_token(secret))
    ).first()
    if row is None:
        return None
    link, person = row
    if link.used_at is not None or utcnow() >= link.expires_at or not person.active:
        return None
    return link, person


def use_link(session: Session, *, link: PasswordLink, person: Person, password: str) -> None:
    """Set the password through the link and spend it (this also ends the person's sessions)."""
    set_password(session, person=person, password=password)
    link.used_at = utcnow()
    session.flush()
    record(session, actor=person, entity_type="person", entity_id=person.id,
           action="password_set", changes={"via": link.purpose})
