"""The export file format, shared by export and import.

    {
      "format": "tracker-programme",
      "format_version": 1,
      "exported_at": "2026-11-23T09:15:02.123456+00:00",
      "schema_revision": "<alembic revision of the exporting database>",
      "not_exported": {"api_tokens": "<why>"},
      "tables": [{"name": "people", "rows": [{"id": 1, "name": "...", ...}, ...]}, ...]
    }

Tables come in `Base.metadata.sorted_tables` order (parents before children) and rows in
primary-key order, so two exports of the same data are identical except `exported_at`.
Values are JSON-safe: dates and datetimes as ISO 8601 (datetimes always with +00:00), enums as
their values, JSON columns as they are.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Table, TypeDecorator

import tracker.models  # noqa: F401 - registers every table on Base.metadata
from tracker.api.params import EARLIEST_DATE, LATEST_DATE, MAX_ID
from tracker.db import Base

FORMAT = "tracker-programme"
FORMAT_VERSION = 1

# Secrets never leave the database. Tokens are stored only as hashes, and a hash restored
# elsewhere would still be a working credential: people re-issue tokens after a restore
# (`tracker create-token --email ... --name ...`).
NOT_EXPORTED: dict[str, str] = {
    "api_tokens": "secrets: re-issue tokens after an import with `tracker create-token`",
}


def exported_tables() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if t.name not in NOT_EXPORTED]


def to_json(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _python_type(column: Column[Any]) -> type | None:
    col_type = column.type
    if isinstance(col_type, TypeDecorator):  # e.g. UTCDateTime: its impl knows the type
        col_type = col_type.impl_instance
    try:
        return col_type.python_type
    except NotImplementedError:  # types that do not declare one take the value as is
        return None


def from_json(column: Column[Any], value: Any) -> Any:
    """The value the column's type expects; raises ValueError saying what is wrong."""
    if value is None:
        if not column.nullable:
            raise ValueError("must not be null")
        return None
    kind = _python_type(column)
    if kind is datetime:
        if not isinstance(value, str):
            raise ValueError("must be an ISO 8601 datetime string")
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError("must carry a UTC offset")
        return parsed
    if kind is date:
        if not isinstance(value, str):
            raise ValueError("must be an ISO 8601 date string")
        parsed_date = date.fromisoformat(value)
        _check_like_the_api(column, kind, parsed_date)
        return parsed_date
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(str(m.value) for m in kind)
            raise ValueError(f"{value!r} is not one of {allowed}") from None
    if kind is bool and not isinstance(value, bool):
        raise ValueError("must be true or false")
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValueError("must be an integer")
    if kind is float and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise ValueError("must be a number")
    if kind is str and not isinstance(value, str):
        raise ValueError("must be a string")
    _check_like_the_api(column, kind, value)
    return value


# Dates the API takes for planning (tracker/api/params.py); other date columns are free.
PLAN_DATE_COLUMNS = frozenset({"deadline", "due_date"})


def _check_like_the_api(column: Column[Any], kind: type | None, value: Any) -> None:
    """The API's own limits, so an import that passes on SQLite (which enforces none of them)
    also fits PostgreSQL and everything the API would have let in."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("must not contain NUL characters")
        length = getattr(column.type, "length", None)
        if length is not None and len(value) > length:
            raise ValueError(f"is {len(value)} characters; at most {length}")
    if kind is int and not -MAX_ID - 1 <= value <= MAX_ID:
        raise ValueError(f"{value} is out of range for a 32-bit integer")
    if isinstance(value, date) and column.name in PLAN_DATE_COLUMNS \
            and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"must be between {EARLIEST_DATE} and {LATEST_DATE}")
