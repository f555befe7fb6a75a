"""Signing in with e-mail and password: throttle, verify, start a session. One answer for every
kind of failure, so the page never tells whether an account exists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from tracker.activity.service import record
from tracker.auth import throttle
from tracker.auth.passwords import verify_password
from tracker.auth.sessions import start_session
from tracker.people.service import find_by_email


@dataclass(frozen=True)
class SignInOutcome:
    secret: str | None = None  # the new session's cookie value on success
    wait: timedelta = timedelta(0)  # > 0: throttled; try again after this long

    @property
    def ok(self) -> bool:
        return self.secret is not None


def sign_in(session: Session, *, email: str, password: str, ip: str, user_agent: str = "") -> SignInOutcome:
    """Check the password and start a session. Failures are counted in the caller's transaction,
    so the caller must commit them even though it answers with an error."""
    keys = throttle.keys_for(email, ip)
    wait = throttle.retry_after(session, keys)
    if wait > timedelta(0):
        return SignInOutcome(wait=wait)
    person = find_by_email(session, email)
    if not verify_password(session, person, password) or person is None or not person.active:
        throttle.record_failure(session, keys)
        return SignInOutcome(wait=throttle.retry_after(session, keys))
    throttle.record_success(session, keys)
    _, secret = start_session(session, person=person, user_agent=user_agent)
    record(session, actor=person, entity_type="person", entity_id=person.id, action="signed_in",
           changes={"ip": ip})
    return SignInOutcome(secret=secret)
