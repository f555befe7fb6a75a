"""Keyset (cursor) pagination: a page costs the same on page 1 and page 10,000."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute, Session

from tracker.errors import InvalidInput

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` to get the next page; null on the last page."
    )


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _decode(value: Any, column: InstrumentedAttribute[Any]) -> Any:
    python_type = column.property.columns[0].type.python_type
    if value is None:
        return None
    if python_type is datetime:
        return datetime.fromisoformat(value)
    if python_type is date:
        return date.fromisoformat(value)
    return python_type(value)


def encode_cursor(sort_value: Any, row_id: int) -> str:
    raw = json.dumps([_encode(sort_value), row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, column: InstrumentedAttribute[Any]) -> tuple[Any, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, row_id = json.loads(base64.urlsafe_b64decode(padded))
        return _decode(value, column), int(row_id)
    except (ValueError, TypeError) as exc:
        raise InvalidInput("cursor is not one this API handed out", field="cursor") from exc


def keyset_page(
    session: Session,
    stmt: Select[Any],
    *,
    sort_column: InstrumentedAttribute[Any],
    id_column: InstrumentedAttribute[Any],
    descending: bool,
    cursor: str | None,
    limit: int,
) -> tuple[list[Any], str | None]:
    """Rows after `cursor` ordered by (sort_column, id); the sort column must be NOT NULL."""
    if cursor:
        value, last_id = decode_cursor(cursor, sort_column)
        if descending:
            stmt = stmt.where(or_(sort_column < value, and_(sort_column == value, id_column < last_id)))
        else:
            stmt = stmt.where(or_(sort_column > value, and_(sort_column == value, id_column > last_id)))
    order = (sort_column.desc(), id_column.desc()) if descending else (sort_column, id_column)
    rows = list(session.scalars(stmt.order_by(*order).limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor(getattr(last, sort_column.key), getattr(last, id_column.key))
    return rows, next_cursor
