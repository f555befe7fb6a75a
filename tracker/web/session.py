"""Who is signed in: the session cookie, resolved once per request, and the Annotated aliases
page routes use to say who may open them (like tracker/api/deps.py does for the API)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response

from tracker.api.deps import DbSession, ensure_role
from tracker.auth import sessions
from tracker.auth.sessions import SignedIn
from tracker.db import transaction
from tracker.people.models import Person, Role
from tracker.web.paths import SIGN_IN

COOKIE = "tracker_session"


@dataclass(frozen=True)
class Viewer:
    """Who is signed in, copied out of the ORM rows: error pages render it after the
    request's transaction was rolled back, when the rows can no longer be read."""

    person_id: int
    name: str
    email: str
    role: Role
    session_id: int
    csrf_token: str


class SignInRequired(Exception):
    """Raised by page dependencies; answered with a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def cookie_secure(request: Request) -> bool:
    """Secure cookies whenever the browser talks https to us (directly, or as the configured
    public base URL says when a proxy terminates TLS)."""
    base_url = str(getattr(request.app.state.settings, "base_url", ""))
    return request.url.scheme == "https" or base_url.startswith("https://")


def set_session_cookie(request: Request, response: Response, secret: str) -> None:
    response.set_cookie(COOKIE, secret, max_age=int(sessions.MAX_AGE.total_seconds()), path="/",
                        httponly=True, samesite="lax", secure=cookie_secure(request))


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=cookie_secure(request))


def viewer_of(request: Request) -> Viewer | None:
    """Who `signed_in` found for this request (None before it ran, or when signed out)."""
    return getattr(request.state, "viewer", None)


def signed_in(request: Request, db: DbSession) -> SignedIn | None:
    secret = request.cookies.get(COOKIE)
    found = sessions.resolve(db, secret) if secret else None
    if found is not None and sessions.needs_touch(found.session):
        if request.method in ("GET", "HEAD"):
            # A read's session may be read-only: the bookkeeping gets its own short write.
            with transaction(request.app.state.session_factory) as writer:
                sessions.touch_session(writer, found.session.id)
        else:
            # A write already holds SQLite's write lock: a second writer would wait on it.
            sessions.touch_session(db, found.session.id)
    if found is not None:
        p, web = found.person, found.session
        request.state.viewer = Viewer(person_id=p.id, name=p.name, email=p.email, role=p.role,
                                      session_id=web.id, csrf_token=web.csrf_token)
    return found


MaybeSignedIn = Annotated[SignedIn | None, Depends(signed_in)]


def _next_path(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def page_user(request: Request, signed: MaybeSignedIn) -> Person:
    if signed is None:
        raise SignInRequired(_next_path(request) if request.method == "GET" else SIGN_IN)
    return signed.person


PageUser = Annotated[Person, Depends(page_user)]


def _require(*roles: Role):  # type: ignore[no-untyped-def]
    def check(user: PageUser) -> Person:
        return ensure_role(user, roles)

    return check


PageLead = Annotated[Person, Depends(_require(Role.lead, Role.admin))]
PageAdmin = Annotated[Person, Depends(_require(Role.admin))]
# Anyone who may change things at all; per-item rules are the services' (as in the API).
PageWriter = Annotated[Person, Depends(_require(Role.owner, Role.lead, Role.admin))]


def current_session(signed: MaybeSignedIn, _: PageUser) -> SignedIn:
    assert signed is not None  # page_user has refused anonymous callers
    return signed


SignedInSession = Annotated[SignedIn, Depends(current_session)]
