"""Run the CLI in-process against its own SQLite file, as a user would from a shell."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from tracker.cli import app
from tracker.config import get_settings
from tracker.db import make_engine, make_session_factory, read_only_factory

Run = Callable[..., Result]


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture
def run(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """`run("create-user", "--name", ...)`: invokes the app with TRACKER_DATABASE_URL set."""
    monkeypatch.chdir(tmp_path)  # the demo writes its tokens file to the working directory
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        get_settings.cache_clear()  # the settings are read per command, from this env
        return runner.invoke(app, list(args), env={"TRACKER_DATABASE_URL": db_url})

    return invoke


@pytest.fixture
def migrated(run: Run) -> Run:
    result = run("migrate")
    assert result.exit_code == 0, result.output
    return run


@pytest.fixture
def db(db_url: str) -> Iterator[Session]:
    """A read-only session on the CLI's database, to check what the commands wrote.

    Read-only, so its open transaction never holds SQLite's write lock while a command runs.
    """
    engine = make_engine(db_url)
    session = read_only_factory(make_session_factory(engine))()
    yield session
    session.close()
    engine.dispose()


@pytest.fixture
def db_write(db_url: str) -> Iterator[Session]:
    """A session that may write; commit before running a command, or the command waits."""
    engine = make_engine(db_url)
    session = make_session_factory(engine)()
    yield session
    session.close()
    engine.dispose()
