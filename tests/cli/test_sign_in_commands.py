"""set-password and password-link on the CLI; the demo's browser sign-ins for `make run`."""

from __future__ import annotations

import re
import stat
from pathlib import Path

from sqlalchemy.orm import Session

from tests.cli.conftest import Run
from tracker.auth.links import find_link
from tracker.auth.passwords import verify_password
from tracker.demo.sign_ins import SIGN_INS_FILE, ensure_demo_sign_ins
from tracker.people.service import find_by_email


def test_set_password_prompts_twice_and_stores_a_hash(migrated: Run, db: Session) -> None:
    assert migrated("create-user", "--name", "Ana", "--email", "ana@example.com", "--role", "lead").exit_code == 0
    result = migrated("set-password", "--email", "ANA@example.com", "--password", "ana's long password")
    assert result.exit_code == 0, result.output
    person = find_by_email(db, "ana@example.com")
    assert verify_password(db, person, "ana's long password")
    assert not verify_password(db, person, "something else")
    db.rollback()  # end the read: SQLite lets the next command write
    short = migrated("set-password", "--email", "ana@example.com", "--password", "short")
    assert short.exit_code == 1 and "at least 10 characters" in short.stderr
    ghost = migrated("set-password", "--email", "ghost@example.com", "--password", "long enough pw")
    assert ghost.exit_code == 1 and "no person" in ghost.stderr


def test_password_link_prints_a_one_time_link(migrated: Run, db: Session) -> None:
    migrated("create-user", "--name", "Ana", "--email", "ana@example.com", "--role", "admin")
    result = migrated("password-link", "--email", "ana@example.com")
    assert result.exit_code == 0, result.output
    secret = re.search(r"/set-password/([A-Za-z0-9_-]+)", result.stdout).group(1)  # type: ignore[union-attr]
    assert "invite link" in result.stdout and find_link(db, secret) is not None
    db.rollback()


def test_demo_sign_ins_are_kept_and_reprinted(migrated: Run, db_write: Session, tmp_path: Path) -> None:
    db = db_write
    assert migrated("demo").exit_code == 0
    first = ensure_demo_sign_ins(db)
    db.commit()
    assert [s.role for s in first] == ["lead", "owner", "viewer", "admin"]
    assert stat.S_IMODE(SIGN_INS_FILE.stat().st_mode) == 0o600
    again = ensure_demo_sign_ins(db)  # the next start prints the same passwords
    assert [s.password for s in again] == [s.password for s in first]
    for s in again:
        assert verify_password(db, find_by_email(db, s.email), s.password)
    SIGN_INS_FILE.unlink()
    fresh = ensure_demo_sign_ins(db)  # lost file: new passwords, and they work
    assert fresh[0].password != first[0].password
    assert verify_password(db, find_by_email(db, fresh[0].email), fresh[0].password)
