"""Read-only links to a weekly digest, for stakeholders without an account.

A lead (or an admin) makes a link for one scope and either one ISO week or "the current week,
whenever it is opened", valid for a number of days (at most MAX_DAYS). The secret carries 256
bits of randomness and is returned once; only its SHA-256 is stored, as for API tokens, sessions
and password links. A link stops working when it expires or when a lead revokes it; the row is
kept so leads can see what was shared, with whom and until when. Opening a link writes nothing.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from tracker.activity.service import record
from tracker.auth.service import hash_token
from tracker.digests.builder import Scope
from tracker.digests.models import DigestShareLink
from tracker.digests.weeks import parse_week, week_of
from tracker.errors import Conflict, Forbidden, InvalidInput, NotFound
from tracker.people.models import Person, Role
from tracker.types import utcnow

LIFETIMES = (7, 30, 90)  # the choices the form offers, in days
MAX_DAYS = 90  # a link outliving a quarter should be a new decision, not a forgotten one
CURRENT = "current"  # the form's value for "the current week, whenever opened"
NOTE_MAX = 200
LIST_LIMIT = 200
# What `secrets.token_urlsafe(32)` produces: anything else is not a link and is not looked up.
_SECRET = re.compile(r"^[A-Za-z0-9_-]{43}$")


def share_path(secret: str) -> str:
    return f"/shared/digests/{secret}"


def create_link(session: Session, *, actor: Person, scope: str, week: str, days: int,
                note: str = "") -> tuple[DigestShareLink, str]:
    """A new link to `scope`'s digest for `week` (an ISO week, or CURRENT), valid `days` days.
    The secret is returned once: the caller shows it and forgets it."""
    if actor.role not in (Role.lead, Role.admin):
        raise Forbidden("only a lead or an admin may share a digest")
    resolved = Scope(session, scope)
    label = None if week.strip() == CURRENT else parse_week(week).label
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"days must be between 1 and {MAX_DAYS}, not {days}", field="days")
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(f"note must be at most {NOTE_MAX} characters, not {len(note)}", field="note")
    now = utcnow()
    secret = secrets.token_urlsafe(32)
    link = DigestShareLink(token_hash=hash_token(secret), scope=resolved.key,
                           team_id=resolved.team.id if resolved.team else None, week=label, note=note,
                           created_by_id=actor.id, created_at=now, expires_at=now + timedelta(days=days))
    session.add(link)
    session.flush()
    record(session, actor=actor, entity_type="digest_link", entity_id=link.id, action="digest_link_created",
           changes={"scope": link.scope, "week": label or CURRENT, "expires_at": link.expires_at})
    return link, secret


def revoke_link(session: Session, *, actor: Person, link_id: int) -> DigestShareLink:
    """End a link now. Any lead may revoke any link: sharing is the programme's, not one lead's."""
    if actor.role not in (Role.lead, Role.admin):
        raise Forbidden("only a lead or an admin may revoke a shared digest link")
    link = session.get(DigestShareLink, link_id)
    if link is None:
        raise NotFound("shared digest link", link_id)
    if link.revoked_at is not None:
        raise Conflict(f"link {link_id} was already revoked on {link.revoked_at:%d %b %Y %H:%M} UTC",
                       field="link_id")
    link.revoked_at, link.revoked_by_id = utcnow(), actor.id
    session.flush()
    record(session, actor=actor, entity_type="digest_link", entity_id=link.id, action="digest_link_revoked",
           changes={"scope": link.scope, "week": link.week or CURRENT})
    return link


State = Literal["active", "expired", "revoked"]


def state_of(link: DigestShareLink, now: datetime) -> State:
    if link.revoked_at is not None:
        return "revoked"
    return "expired" if now >= link.expires_at else "active"


@dataclass(frozen=True)
class Opened:
    """What a secret opens: the link, and whether it still works (`state` "active")."""

    link: DigestShareLink
    state: State

    def week(self, today: date) -> str:
        """The week to show: the link's own, or the one running today."""
        return self.link.week or week_of(today).label


def open_link(session: Session, secret: str) -> Opened | None:
    """The link behind a secret, in whatever state it is; None when there is no such link."""
    if not _SECRET.match(secret):
        return None
    link = session.scalar(select(DigestShareLink).where(DigestShareLink.token_hash == hash_token(secret)))
    return Opened(link, state_of(link, utcnow())) if link is not None else None


@dataclass(frozen=True)
class Listed:
    link: DigestShareLink
    state: State
    created_by: str | None
    revoked_by: str | None


def list_links(session: Session, *, limit: int = LIST_LIMIT) -> list[Listed]:
    """The newest links first, with who made and who revoked each (one query)."""
    maker, revoker = aliased(Person), aliased(Person)
    rows = session.execute(
        select(DigestShareLink, maker.name, revoker.name)
        .outerjoin(maker, maker.id == DigestShareLink.created_by_id)
        .outerjoin(revoker, revoker.id == DigestShareLink.revoked_by_id)
        .order_by(DigestShareLink.id.desc()).limit(limit))
    now = utcnow()
    return [Listed(link, state_of(link, now), made, revoked) for link, made, revoked in rows]
