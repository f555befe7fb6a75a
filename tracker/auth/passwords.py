"""Browser passwords: argon2id through argon2-cffi (its defaults follow RFC 9106's profile)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from tracker.auth.models import PasswordCredential
from tracker.auth.sessions import revoke_sessions
from tracker.errors import InvalidInput
from tracker.people.models import Person
from tracker.types import utcnow

MIN_LENGTH = 10
MAX_LENGTH = 200  # argon2 takes any length; a cap keeps a megabyte "password" from costing CPU

_hasher = PasswordHasher()
# Verified when the e-mail is unknown, so a miss costs as long as a wrong password and the
# response time does not tell whether an account exists.
_DUMMY_HASH = _hasher.hash("not-a-password-anyone-has")


def check_strength(password: str, *, email: str) -> None:
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"the password needs at least {MIN_LENGTH} characters", field="password")
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"the password may have at most {MAX_LENGTH} characters", field="password")
    if password.strip().lower() == email.strip().lower():
        raise InvalidInput("the password must not be your e-mail address", field="password")


def set_password(session: Session, *, person: Person, password: str,
                 keep_session_id: int | None = None) -> None:
    """Store a new hash and end the person's other browser sessions (a changed password must
    lock out whoever may have learnt the old one)."""
    check_strength(password, email=person.email)
    credential = session.get(PasswordCredential, person.id)
    hashed = _hasher.hash(password)
    if credential is None:
        session.add(PasswordCredential(person_id=person.id, password_hash=hashed))
    else:
        credential.password_hash = hashed
        credential.changed_at = utcnow()
    session.flush()
    revoke_sessions(session, person_id=person.id, except_id=keep_session_id)


def verify_password(session: Session, person: Person | None, password: str) -> bool:
    """True when `person` has a password and it matches; always spends one argon2 verification."""
    credential = session.get(PasswordCredential, person.id) if person is not None else None
    if credential is None:
        try:
            _hasher.verify(_DUMMY_HASH, password[:MAX_LENGTH])
        except VerificationError:
            pass
        return False
    try:
        _hasher.verify(credential.password_hash, password[:MAX_LENGTH])
    except (VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(credential.password_hash):
        credential.password_hash = _hasher.hash(password)  # parameters were raised since
    return True


def has_password(session: Session, person_id: int) -> bool:
    return session.get(PasswordCredential, person_id) is not None
