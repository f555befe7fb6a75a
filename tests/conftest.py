"""Test fixtures: a database built by the real migrations, one rolled-back transaction per test.

The suite runs on SQLite always, and on PostgreSQL too when TRACKER_TEST_DATABASE_URL is set:
every test that uses the database runs once per backend. Each run gets its own PostgreSQL
schema, so concurrent runs against one server do not collide.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from tracker.app import create_app
from tracker.config import Settings
from tracker.db import make_engine
from tracker.migrations import upgrade

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TRACKER_TEST_DATABASE_URL") else [])


class Database:
    """A migrated test database: its URL (for subprocesses) and an engine."""

    def __init__(self, backend: str, tmp: Path) -> None:
        self.backend = backend
        self.schema: str | None = None
        if backend == "sqlite":
            self.url = f"sqlite:///{tmp / 'tracker-test.db'}"
        else:
            base = os.environ["TRACKER_TEST_DATABASE_URL"]
            self.schema = f"t_{uuid.uuid4().hex[:12]}"
            admin = make_engine(base)
            with admin.begin() as conn:
                conn.exec_driver_sql(f'CREATE SCHEMA "{self.schema}"')
            admin.dispose()
            sep = "&" if "?" in base else "?"
            self.url = f"{base}{sep}options=-csearch_path%3D{self.schema}"
        self.engine: Engine = make_engine(self.url)
        upgrade(self.url)

    def dispose(self) -> None:
        self.engine.dispose()
        if self.schema:
            admin = make_engine(os.environ["TRACKER_TEST_DATABASE_URL"])
            with admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{self.schema}" CASCADE')
            admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = Database(request.param, tmp_path_factory.mktemp(request.param))
    yield db
    db.dispose()


@pytest.fixture
def connection(database: Database) -> Iterator[Connection]:
    conn = database.engine.connect()
    outer = conn.begin()
    try:
        yield conn
    finally:
        outer.rollback()
        conn.close()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    # Commits inside the app become savepoint releases; the outer rollback undoes everything.
    return sessionmaker(bind=connection, join_transaction_mode="create_savepoint",
                        expire_on_commit=False)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    s = session_factory()
    yield s
    s.close()


@pytest.fixture
def settings(database: Database) -> Settings:
    return Settings(database_url=database.url, base_url="http://tracker.test")


@pytest.fixture
def app(settings: Settings, session_factory: sessionmaker[Session]):  # type: ignore[no-untyped-def]
    return create_app(settings, session_factory=session_factory)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(autouse=True)
def _clear_settings_cache() -> Iterator[None]:
    from tracker.config import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
