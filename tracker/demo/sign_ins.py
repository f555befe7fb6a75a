"""Browser sign-ins for the demo's people, one per role, for `make run` to print.

Passwords are random per database and kept, like the demo's API tokens, in a git-ignored
file readable only by its owner, so every start can print them again. A demo person whose
password is not in the file (it was changed, or the file was lost) gets a new one.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from tracker.auth.passwords import has_password, set_password, verify_password
from tracker.demo import people as people_data
from tracker.people.service import find_by_email

SIGN_INS_FILE = Path(".tracker-demo-sign-ins")


@dataclass(frozen=True)
class DemoSignIn:
    role: str
    name: str
    email: str
    password: str


def _read(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    known = {}
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) == 3 and not line.startswith("#"):
            known[parts[1]] = parts[2]
    return known


def ensure_demo_sign_ins(session: Session, path: Path = SIGN_INS_FILE) -> list[DemoSignIn]:
    """The demo's sign-ins (email + password) per role, creating passwords where needed.
    Empty when the demo's people are not in this database."""
    known = _read(path)
    emails = {row["key"]: row["email"] for row in people_data.PEOPLE}
    sign_ins = []
    for role, key in people_data.LOGINS:
        person = find_by_email(session, emails[key])
        if person is None or not person.active:
            continue
        password = known.get(person.email)
        if password is None or not has_password(session, person.id) or not verify_password(session, person, password):
            password = secrets.token_urlsafe(9)
            set_password(session, person=person, password=password)
        sign_ins.append(DemoSignIn(role=role, name=person.name, email=person.email, password=password))
    lines = ["# Demo sign-ins for the browser (role email password), written by `tracker run-sandbox`."]
    lines += [f"{s.role} {s.email} {s.password}" for s in sign_ins]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # working credentials
    with os.fdopen(fd, "w") as out:
        out.write("\n".join(lines) + "\n")
    return sign_ins
