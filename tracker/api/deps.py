"""FastAPI dependencies; the Annotated aliases make each endpoint's signature say who may call it."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from tracker.auth.service import authenticate_token, token_needs_touch, touch_token
from tracker.auth.token_throttle import throttle_of
from tracker.db import is_read_only, transaction
from tracker.errors import Forbidden, NotAuthenticated, TooManyAttempts
from tracker.people.models import Person, Role

# Requests that only read get a read-only session (tracker/db.py explains why that matters
# on SQLite); the rest take the write lock when they begin.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; the request owns the transaction (services only flush)."""
    state = request.app.state
    factory = state.read_session_factory if request.method in SAFE_METHODS else state.session_factory
    session: Session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# scope="function": commit before the response is sent, so a failed commit is never a 2xx.
DbSession = Annotated[Session, Depends(get_session, scope="function")]

_bearer = HTTPBearer(auto_error=False, description="A personal API token: `Authorization: Bearer trk_...`")


def current_user(
    request: Request,
    session: DbSession,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Person:
    if credentials is None:
        raise NotAuthenticated("an API token is required: send 'Authorization: Bearer <token>'")
    try:
        person, token = authenticate_token(session, credentials.credentials)
    except NotAuthenticated:
        _count_failure(request)
        raise
    if token_needs_touch(token):
        if is_read_only(session):
            # A read must not write; the bookkeeping gets its own short write transaction.
            with transaction(request.app.state.session_factory) as writer:
                touch_token(writer, token.id)
        else:
            touch_token(session, token.id)
    return person


def _count_failure(request: Request) -> None:
    """A bad token counts against its client address; past the limit the answer is 429 (see
    tracker/auth/token_throttle.py). Valid tokens never get here, so good clients are not slowed."""
    throttle = throttle_of(request.app.state)
    address = request.client.host if request.client else "unknown"
    wait = throttle.retry_after(address)
    if wait > timedelta(0):
        seconds = math.ceil(wait.total_seconds())
        raise TooManyAttempts(f"too many failed API-token attempts from your address; try again in "
                              f"{seconds} s", retry_after=seconds)
    throttle.record_failure(address)


CurrentUser = Annotated[Person, Depends(current_user)]


def ensure_role(user: Person, roles: tuple[Role, ...]) -> Person:
    """The one role check of API and pages alike: `user`, or 403 naming the roles needed."""
    if user.role not in roles:
        allowed = " or ".join(r.value for r in roles)
        raise Forbidden(f"this needs the {allowed} role; you are {user.role.value}")
    return user


def _require(*roles: Role):  # type: ignore[no-untyped-def]
    def check(user: CurrentUser) -> Person:
        return ensure_role(user, roles)

    return check


LeadOnly = Annotated[Person, Depends(_require(Role.lead, Role.admin))]
AdminOnly = Annotated[Person, Depends(_require(Role.admin))]
# Anyone who may change things at all (viewers only read); per-item ownership is checked by services.
Writer = Annotated[Person, Depends(_require(Role.owner, Role.lead, Role.admin))]
