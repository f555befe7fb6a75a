"""Export the whole programme (every table but the secrets) as one JSON-safe dict."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from tracker.backup.format import FORMAT, FORMAT_VERSION, NOT_EXPORTED, exported_tables, to_json
from tracker.types import utcnow


def schema_revision(session: Session) -> str | None:
    """The database's Alembic revision, or None when it was not built by the migrations."""
    if not inspect(session.connection()).has_table("alembic_version"):
        return None
    return session.scalar(text("SELECT version_num FROM alembic_version"))


def export_programme(session: Session) -> dict[str, Any]:
    tables = []
    for table in exported_tables():
        stmt = select(table).order_by(*table.primary_key.columns)
        rows = [{k: to_json(v) for k, v in row.items()}
                for row in session.execute(stmt).mappings()]
        tables.append({"name": table.name, "rows": rows})
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": utcnow().isoformat(),
        "schema_revision": schema_revision(session),
        "not_exported": dict(NOT_EXPORTED),
        "tables": tables,
    }
