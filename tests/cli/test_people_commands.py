"""create-user and create-token: a token shown once, clean errors with exit code 1."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from tests.cli.conftest import Run
from tracker.auth.service import authenticate_token

TOKEN = re.compile(r"trk_[A-Za-z0-9_-]{20,}")


def _create(run: Run, email: str = "ana@example.com", role: str = "lead", *extra: str):  # type: ignore[no-untyped-def]
    return run("create-user", "--name", "Ana Lima", "--email", email, "--role", role, *extra)


def test_create_user_prints_id_and_a_working_token(migrated: Run, db: Session) -> None:
    result = _create(migrated, "Ana@Example.com", "lead", "--timezone", "Europe/Lisbon",
                     "--slack-id", "U123ANA")
    assert result.exit_code == 0, result.output
    assert "person id: 1" in result.stdout
    token = TOKEN.search(result.stdout)
    assert token
    person, _ = authenticate_token(db, token.group())
    assert (person.email, person.role.value, person.timezone, person.slack_user_id) == (
        "ana@example.com", "lead", "Europe/Lisbon", "U123ANA")


def test_create_user_duplicate_email_is_a_clean_error(migrated: Run) -> None:
    assert _create(migrated).exit_code == 0
    result = _create(migrated, "ANA@example.com")
    assert result.exit_code == 1
    assert "ana@example.com already exists" in result.stderr
    assert "Traceback" not in result.output


def test_create_user_unknown_role_and_bad_input(migrated: Run) -> None:
    result = _create(migrated, role="boss")
    assert result.exit_code == 1
    assert "role" in result.stderr and "'lead'" in result.stderr
    result = _create(migrated, email="not-an-email")
    assert result.exit_code == 1 and "email" in result.stderr
    result = _create(migrated, "x@example.com", "owner", "--timezone", "Mars/Olympus")
    assert result.exit_code == 1 and "timezone" in result.stderr


def test_create_token_for_an_existing_person(migrated: Run, db: Session) -> None:
    first = TOKEN.search(_create(migrated).stdout)
    result = migrated("create-token", "--email", "ANA@example.com", "--name", "laptop")
    assert result.exit_code == 0, result.output
    second = TOKEN.search(result.stdout)
    assert first and second and first.group() != second.group()
    assert authenticate_token(db, second.group())[0].email == "ana@example.com"


def test_create_token_unknown_person(migrated: Run) -> None:
    result = migrated("create-token", "--email", "ghost@example.com", "--name", "x")
    assert result.exit_code == 1
    assert "no person with email ghost@example.com" in result.stderr


def test_unmigrated_database_is_explained(run: Run) -> None:
    result = _create(run)
    assert result.exit_code == 1
    assert "tracker migrate" in result.stderr and "Traceback" not in result.output


def test_migrate_and_downgrade(migrated: Run) -> None:
    result = migrated("downgrade", "--revision", "base")
    assert result.exit_code == 0, result.output
    assert _create(migrated).exit_code == 1  # the tables are gone
    assert migrated("migrate").exit_code == 0
    assert _create(migrated).exit_code == 0
