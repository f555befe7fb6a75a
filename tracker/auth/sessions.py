"""Server-side browser sessions: the cookie carries a random secret, the table its SHA-256.

A session ends when it is revoked (sign-out, a password change, an admin's reset), when it
has been idle too long, or at its absolute expiry, whichever comes first.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from tracker.auth.models import WebSession
from tracker.auth.service import hash_token
from tracker.people.models import Person
from tracker.types import utcnow

MAX_AGE = timedelta(days=14)
IDLE_TIMEOUT = timedelta(days=2)
# Writing last_seen_at on every page view would turn each read into a write.
TOUCH_RESOLUTION = timedelta(minutes=5)
KEEP_ENDED = timedelta(days=30)


@dataclass(frozen=True)
class SignedIn:
    """What a request knows once its session cookie checks out."""

    session: WebSession
    person: Person


def start_session(session: Session, *, person: Person, user_agent: str = "") -> tuple[WebSession, str]:
    """A new session (a fresh id on every sign-in: no fixation); returns the row and the secret."""
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    # Ended sessions are kept a while (when did this browser sign in?), then dropped here,
    # per person, so the table stays small without a sweep.
    session.execute(delete(WebSession).where(WebSession.person_id == person.id,
                                             WebSession.expires_at < now - KEEP_ENDED))
    web = WebSession(token_hash=hash_token(secret), person_id=person.id,
                     csrf_token=secrets.token_urlsafe(32), created_at=now, last_seen_at=now,
                     expires_at=now + MAX_AGE, user_agent=user_agent[:300])
    session.add(web)
    session.flush()
    return web, secret


def resolve(session: Session, secret: str) -> SignedIn | None:
    """The live session and active person for a cookie value, or None. Reads only."""
    row = session.execute(
        select(WebSession, Person).join(Person, Person.id == WebSession.person_id)
        .where(WebSession.token_hash == hash_token(secret))
    ).first()
    if row is None:
        return None
    web, person = row
    now = utcnow()
    if web.revoked_at is not None or now >= web.expires_at or now - web.last_seen_at > IDLE_TIMEOUT:
        return None
    if not person.active:
        return None
    return SignedIn(session=web, person=person)


def needs_touch(web: WebSession) -> bool:
    return utcnow() - web.last_seen_at > TOUCH_RESOLUTION


def touch_session(session: Session, session_id: int) -> None:
    """Record activity as a plain UPDATE: reads resolve sessions without writing, and the
    caller runs this in its own short write transaction."""
    session.execute(update(WebSession).where(WebSession.id == session_id).values(last_seen_at=utcnow()))


def end_session(session: Session, web: WebSession) -> None:
    if web.revoked_at is None:
        web.revoked_at = utcnow()
    session.flush()


def revoke_sessions(session: Session, *, person_id: int, except_id: int | None = None) -> int:
    """End every live session of a person (but `except_id`); returns how many were ended."""
    stmt = (update(WebSession)
            .where(WebSession.person_id == person_id, WebSession.revoked_at.is_(None))
            .values(revoked_at=utcnow()))
    if except_id is not None:
        stmt = stmt.where(WebSession.id != except_id)
    result = session.execute(stmt, execution_options={"synchronize_session": "fetch"})
    return int(getattr(result, "rowcount", 0) or 0)


def live_sessions(session: Session, *, person_id: int) -> list[WebSession]:
    """A person's signed-in browsers, most recently seen first."""
    now = utcnow()
    rows = session.scalars(select(WebSession).where(
        WebSession.person_id == person_id, WebSession.revoked_at.is_(None), WebSession.expires_at > now,
        WebSession.last_seen_at > now - IDLE_TIMEOUT).order_by(WebSession.last_seen_at.desc(), WebSession.id.desc()))
    return list(rows)
