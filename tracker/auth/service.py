"""Personal API tokens: random secrets, stored as SHA-256, shown once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tracker.auth.models import ApiToken
from tracker.errors import Forbidden, NotAuthenticated, NotFound
from tracker.people.models import Person, Role
from tracker.types import utcnow

TOKEN_PREFIX = "trk_"
# Writing last_used_at on every request would turn each read into a write; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(secret: str) -> str:
    # Tokens carry 256 bits of randomness, so a fast hash is safe (no dictionary to attack).
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(session: Session, *, person: Person, name: str) -> tuple[ApiToken, str]:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(person_id=person.id, name=name, prefix=secret[:10], token_hash=hash_token(secret))
    session.add(token)
    session.flush()
    return token, secret


def authenticate_token(session: Session, secret: str) -> tuple[Person, ApiToken]:
    """The person a token belongs to, and the token (it is not written to: see touch_token)."""
    row = session.execute(
        select(ApiToken, Person)
        .join(Person, Person.id == ApiToken.person_id)
        .where(ApiToken.token_hash == hash_token(secret))
    ).first()
    if row is None:
        raise NotAuthenticated("the API token is not valid")
    token, person = row
    if token.revoked_at is not None:
        raise NotAuthenticated("the API token has been revoked")
    if not person.active:
        raise NotAuthenticated("this person's account is deactivated")
    return person, token


def token_needs_touch(token: ApiToken) -> bool:
    return token.last_used_at is None or utcnow() - token.last_used_at > LAST_USED_RESOLUTION


def touch_token(session: Session, token_id: int) -> None:
    """Record that a token was used, as a plain UPDATE (no version, no object state)."""
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utcnow()))


def list_tokens(session: Session, *, person_id: int) -> list[ApiToken]:
    return list(
        session.scalars(select(ApiToken).where(ApiToken.person_id == person_id).order_by(ApiToken.id))
    )


def revoke_token(session: Session, *, actor: Person, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound("token", token_id)
    if token.person_id != actor.id and actor.role is not Role.admin:
        raise Forbidden("only an admin may revoke another person's token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    session.flush()
    return token
