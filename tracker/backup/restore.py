"""Import an export into an EMPTY database: validate everything first, then write, ids kept."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from sqlalchemy import Integer, Table, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracker.actions.spans import OpenSpan, derived_from_items
from tracker.backup.export import schema_revision
from tracker.backup.format import FORMAT, FORMAT_VERSION, NOT_EXPORTED, exported_tables, from_json
from tracker.db import Base
from tracker.errors import Conflict, InvalidInput

# Reporting every bad value of a large file helps nobody; the first few show the pattern.
MAX_REPORTED = 20


def _check_header(data: Any, db_revision: str | None) -> list[dict[str, Any]]:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InvalidInput(f"not a tracker export (expected \"format\": \"{FORMAT}\")",
                           field="format")
    if data.get("format_version") != FORMAT_VERSION:
        raise InvalidInput(f"unsupported format_version {data.get('format_version')!r}; "
                           f"this tracker reads version {FORMAT_VERSION}", field="format_version")
    revision = data.get("schema_revision")
    if revision is not None and db_revision is not None and revision != db_revision:
        # Restoring across schema changes is a job for the migrations, not for this importer.
        raise InvalidInput(
            f"the export was taken at schema revision {revision} but this database is at "
            f"{db_revision}: create the database with `tracker migrate --revision {revision}`, "
            "import, then run `tracker migrate`", field="schema_revision")
    tables = data.get("tables")
    if not isinstance(tables, list) or not all(
        isinstance(t, dict) and isinstance(t.get("name"), str) and isinstance(t.get("rows"), list)
        for t in tables
    ):
        raise InvalidInput("\"tables\" must be a list of {\"name\", \"rows\"}", field="tables")
    return tables


def _check_names(tables: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    known = {t.name: t for t in exported_tables()}
    problems: list[str] = []
    by_name: dict[str, list[dict[str, Any]]] = {}
    for entry in tables:
        name = entry["name"]
        if name in NOT_EXPORTED:
            problems.append(f"table {name} is never imported ({NOT_EXPORTED[name]})")
        elif name not in known:
            problems.append(f"unknown table {name}")
        elif name in by_name:
            problems.append(f"table {name} appears twice")
        else:
            by_name[name] = entry["rows"]
            columns = set(known[name].columns.keys())
            unknown = sorted({key for row in entry["rows"] if isinstance(row, dict)
                              for key in row} - columns)
            problems += [f"unknown column {name}.{col}" for col in unknown]
            if not all(isinstance(row, dict) for row in entry["rows"]):
                problems.append(f"table {name}: every row must be an object")
    if problems:
        raise InvalidInput("; ".join(problems), field="tables", problems=problems)
    return by_name


def _convert(by_name: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    converted: dict[str, list[dict[str, Any]]] = {}
    problems: list[str] = []
    for table in exported_tables():
        rows = []
        for n, row in enumerate(by_name.get(table.name, []), start=1):
            out = {}
            for key, value in row.items():
                try:
                    out[key] = from_json(table.columns[key], value)
                except ValueError as exc:
                    problems.append(f"{table.name} row {n} ({row.get('id', '?')}) {key}: {exc}")
            rows.append(out)
        converted[table.name] = rows
    if problems:
        shown = problems[:MAX_REPORTED]
        more = len(problems) - len(shown)
        raise InvalidInput("; ".join(shown) + (f"; and {more} more" if more else ""),
                           field="tables", problems=shown)
    return converted


def _check_empty(session: Session) -> None:
    # Every table, tokens included: importing next to existing rows would mix two programmes.
    filled = [t.name for t in Base.metadata.sorted_tables
              if session.scalar(select(func.count()).select_from(t))]
    if filled:
        raise Conflict("import needs an empty database; these tables have rows: "
                       + ", ".join(filled), field="database", tables=filled)


def _reset_sequence(session: Session, table: Table) -> None:
    """PostgreSQL hands out ids from a sequence that explicit ids do not advance."""
    pk = list(table.primary_key.columns)
    if len(pk) != 1 or not isinstance(pk[0].type, Integer):
        return
    col = pk[0]
    top = select(func.max(col)).scalar_subquery()
    # is_called=false with 1 on an empty table: the next id is 1, as on a fresh database.
    session.execute(select(func.setval(func.pg_get_serial_sequence(table.name, col.name),
                                       func.coalesce(top, 1), top.is_not(None))))


def import_programme(session: Session, data: Any) -> dict[str, int]:
    """Write every row of the export, keeping ids; returns rows written per table."""
    tables = _check_header(data, schema_revision(session))
    by_name = _check_names(tables)
    rows_by_table = _convert(by_name)
    _check_empty(session)
    counts: dict[str, int] = {}
    try:
        for table in exported_tables():
            rows = rows_by_table[table.name]
            # One executemany per run of rows with the same columns (a hand-edited file may
            # leave optional columns out; the column defaults then apply).
            for _, group in groupby(rows, key=lambda r: tuple(sorted(r))):
                session.execute(table.insert(), list(group))
            counts[table.name] = len(rows)
        if OpenSpan.__tablename__ not in by_name:
            # A file without the items' history (written by hand, or cut down): each item gets
            # the one span its row implies, as the migration that made the table gave them.
            session.execute(insert(OpenSpan).from_select(
                ["action_item_id", "deadline", "started_at", "ended_at"], derived_from_items()))
    except IntegrityError as exc:
        raise InvalidInput(f"the export is not consistent: {exc.orig}", field="tables") from None
    if session.get_bind().dialect.name == "postgresql":
        for table in exported_tables():
            _reset_sequence(session, table)
    return counts
