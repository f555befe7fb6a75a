"""Engine and session factory. The request or job wrapper owns the transaction; services flush."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from sqlalchemy import Connection, Engine, MetaData, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from tracker.sqlite_writers import WriterQueue, is_prompt, queue_for

# Stable constraint names so Alembic migrations are deterministic on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Execution option that marks a connection's transactions as read-only (see make_engine).
READ_ONLY = "tracker_read_only"
# How long a SQLite writer waits for another one to commit before giving up.
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Every API thread (AnyIO's 40) and the in-process worker may hold a connection at once; a
# smaller pool would make requests queue for a connection instead of for SQLite's write lock.
SQLITE_POOL_SIZE = 48


# Marks, in a pooled connection's record, that it holds its engine's writer turn.
_HOLDS_TURN = "tracker_holds_writer_turn"


def make_engine(url: str, **kwargs: object) -> Engine:
    if url.startswith("sqlite"):
        writers: WriterQueue | None = None
        if ":memory:" not in url and url not in ("sqlite://", "sqlite:///"):
            kwargs = {"pool_size": SQLITE_POOL_SIZE, "max_overflow": 16, **kwargs}
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        if engine.url.database and ":memory:" not in url:
            writers = queue_for(os.path.realpath(engine.url.database))
            event.listen(engine, "checkin", partial(_leave_writer_queue, writers))
        event.listen(engine, "connect", _sqlite_pragmas)
        # Let SQLAlchemy, not the sqlite3 module, issue BEGIN: savepoints and
        # transactional DDL then behave as on PostgreSQL (see SQLAlchemy's pysqlite notes).
        event.listen(engine, "begin", partial(_sqlite_begin, writers))
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_begin(writers: WriterQueue | None, conn: Connection) -> None:
    # SQLite has one writer at a time. A plain (deferred) BEGIN that has read cannot become the
    # writer once another connection committed: it fails at once with "database is locked",
    # whatever busy_timeout says. So a transaction that may write takes the write lock up front
    # (BEGIN IMMEDIATE, which does wait for busy_timeout), and only transactions marked
    # read-only (GET requests) start deferred: in WAL mode they never wait and never block.
    if conn.get_execution_options().get(READ_ONLY, False):
        conn.exec_driver_sql("BEGIN")
        return
    # Writers of this process take turns in arrival order (tracker/sqlite_writers.py); the turn
    # is given back when the connection returns to the pool, just after its COMMIT or ROLLBACK.
    record = conn.connection.record_info
    queued = writers is not None and record is not None and not record.get(_HOLDS_TURN)
    if queued:
        assert writers is not None and record is not None
        if not writers.acquire(SQLITE_BUSY_TIMEOUT_MS / 1000, prompt=is_prompt()):
            raise OperationalError("BEGIN IMMEDIATE", None, sqlite3.OperationalError(
                f"database is locked: other writers held it for {SQLITE_BUSY_TIMEOUT_MS // 1000} s"))
        record[_HOLDS_TURN] = True
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        if queued:
            assert writers is not None and record is not None
            record.pop(_HOLDS_TURN, None)
            writers.release()
        raise


def _leave_writer_queue(writers: WriterQueue, _dbapi_connection: Any, connection_record: Any) -> None:
    record = getattr(connection_record, "record_info", None)
    if record is not None and record.pop(_HOLDS_TURN, False):
        writers.release()


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # Foreign keys are off by default in SQLite; WAL lets readers proceed while the worker writes.
    dbapi_connection.isolation_level = None  # autocommit at the driver; BEGIN comes from "begin"
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    # WAL with synchronous=NORMAL is durable across application crashes (the default, FULL,
    # adds an fsync per commit that only protects against power loss mid-checkpoint).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


def read_only_factory(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """The read-only twin of `factory`: its transactions start without the write lock.

    A read-only session must not write (a flush raises ReadOnlyViolation): on SQLite such a
    write could fail under load (see _sqlite_begin). On PostgreSQL only the guard differs.
    """
    kw = dict(factory.kw)
    bind = kw.get("bind")
    if isinstance(bind, Engine):
        kw["bind"] = bind.execution_options(**{READ_ONLY: True})
    kw["info"] = {**kw.get("info", {}), READ_ONLY: True}
    return sessionmaker(**kw)


def is_read_only(session: Session) -> bool:
    return bool(session.info.get(READ_ONLY))


class ReadOnlyViolation(RuntimeError):
    """A session opened for reading tried to write: a programming error, caught in tests."""


@event.listens_for(Session, "before_flush")
def _refuse_writes_when_read_only(session: Session, _context: object, _instances: object) -> None:
    if is_read_only(session) and (session.new or session.dirty or session.deleted):
        raise ReadOnlyViolation("a read-only (GET) session tried to write; use a write session")


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
