"""The migration that makes vendor identities unique names the people sharing one and stops."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text

from tests.conftest import BACKENDS
from tracker.db import make_engine
from tracker.migrations import alembic_config

REVISION = "1c7a6f5124b8"


def _url(backend: str, tmp_path: Path) -> tuple[str, str | None]:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'identities.db'}", None
    base = os.environ["TRACKER_TEST_DATABASE_URL"]
    schema = f"i_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    admin.dispose()
    return f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}", schema


@pytest.mark.parametrize("backend", BACKENDS)
def test_duplicates_are_named_and_the_upgrade_refused(backend: str, tmp_path: Path) -> None:
    url, schema = _url(backend, tmp_path)
    config = alembic_config(url)
    script_down = ScriptDirectory.from_config(config).get_revision(REVISION).down_revision
    engine = make_engine(url)
    try:
        command.upgrade(config, str(script_down))
        with engine.begin() as conn:
            for n, (name, jira) in enumerate([("Ana", "557058:ana"), ("Bob", "557058:ana"), ("Cy", None)], 1):
                conn.execute(text(
                    "INSERT INTO people (id, name, email, role, timezone, jira_account_id, active, created_at, "
                    "version) VALUES (:id, :name, :email, 'owner', 'UTC', :jira, true, CURRENT_TIMESTAMP, 1)"),
                    {"id": n, "name": name, "email": f"{name.lower()}@example.com", "jira": jira})
        with pytest.raises(RuntimeError) as refused:
            command.upgrade(config, REVISION)
        message = str(refused.value)
        assert "jira_account_id '557058:ana' is held by Ana (person 1), Bob (person 2)" in message
        assert "Cy" not in message
        with engine.begin() as conn:  # the admin clears the false claim; then the upgrade passes
            conn.execute(text("UPDATE people SET jira_account_id = NULL WHERE id = 2"))
        command.upgrade(config, REVISION)
        with engine.begin() as conn, pytest.raises(Exception, match="(?i)unique"):
            conn.execute(text("UPDATE people SET jira_account_id = '557058:ana' WHERE id = 3"))
    finally:
        engine.dispose()
        if schema:
            admin = make_engine(os.environ["TRACKER_TEST_DATABASE_URL"])
            with admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
            admin.dispose()
