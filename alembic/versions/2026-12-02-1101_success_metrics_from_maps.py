"""success metrics from maps: each map's free-text success metrics become metric rows

Revision ID: da09adee626a
Revises: c02a37ee4923
Create Date: 2026-12-02 11:01:00

Every non-blank line of `journey_maps.success_metrics` becomes a manual, weekly,
lower-is-better metric of its map with no unit, in the list's order (ids ascending), created by
the map's creator at the map's creation time. Nothing is lost: a line longer than a metric name
(200 characters) keeps its whole text as the description and a shortened name; a repeated line
gets " (2)", " (3)" ... so names stay unique per map. Then the column goes. The downgrade
writes the names back (units and directions have nowhere to go) and leaves the rows, so a
later upgrade keeps them and adds only names a map does not have yet.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "da09adee626a"
down_revision: str | None = "c02a37ee4923"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME_LENGTH = 200
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

maps = sa.table(
    "journey_maps",
    sa.column("id", sa.Integer()),
    sa.column("success_metrics", JSON),
    sa.column("created_by_id", sa.Integer()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
metrics = sa.table(
    "success_metrics",
    sa.column("id", sa.Integer()),
    sa.column("journey_map_id", sa.Integer()),
    sa.column("name", sa.String()),
    sa.column("description", sa.Text()),
    sa.column("unit", sa.String()),
    sa.column("direction", sa.String()),
    sa.column("period", sa.String()),
    sa.column("source_kind", sa.String()),
    sa.column("created_by_id", sa.Integer()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("version", sa.Integer()),
)


def metric_rows(lines: list[str]) -> list[tuple[str, str]]:
    """(name, description) for each non-blank line, names unique and at most 200 characters."""
    rows: list[tuple[str, str]] = []
    taken: set[str] = set()
    for line in lines:
        text = " ".join(str(line).split())
        if not text:
            continue
        description = "" if len(text) <= NAME_LENGTH else text
        base = text if len(text) <= NAME_LENGTH else text[: NAME_LENGTH - 1].rstrip() + "…"
        name, n = base, 1
        while name in taken:
            n += 1
            suffix = f" ({n})"
            name = base[: NAME_LENGTH - len(suffix)] + suffix
        if name != text and not description:
            description = text
        taken.add(name)
        rows.append((name, description))
    return rows


def upgrade() -> None:
    bind = op.get_bind()
    found = bind.execute(
        sa.select(maps.c.id, maps.c.success_metrics, maps.c.created_by_id, maps.c.created_at)
        .order_by(maps.c.id)
    ).all()
    # After a downgrade and upgrade the rows are still there: a name a map already has is kept.
    existing = {(m, n) for m, n in bind.execute(sa.select(metrics.c.journey_map_id, metrics.c.name))}
    inserts = [
        {"journey_map_id": map_id, "name": name, "description": description, "unit": "",
         "direction": "lower_is_better", "period": "weekly", "source_kind": "manual",
         "created_by_id": created_by_id, "created_at": created_at or datetime.now(UTC),
         "version": 1}
        for map_id, lines, created_by_id, created_at in found
        for name, description in metric_rows(list(lines or []))
        if (map_id, name) not in existing
    ]
    if inserts:
        op.bulk_insert(metrics, inserts)
    with op.batch_alter_table("journey_maps", schema=None) as batch_op:
        batch_op.drop_column("success_metrics")


def downgrade() -> None:
    with op.batch_alter_table("journey_maps", schema=None) as batch_op:
        batch_op.add_column(sa.Column("success_metrics", JSON, nullable=True))
    bind = op.get_bind()
    names: dict[int, list[str]] = {}
    for map_id, name, description in bind.execute(
        sa.select(metrics.c.journey_map_id, metrics.c.name, metrics.c.description)
        .order_by(metrics.c.id)
    ):
        # A migrated long line kept its whole text as the description: give that back.
        whole = description if description and name.endswith("…") else name
        names.setdefault(map_id, []).append(whole)
    for (map_id,) in bind.execute(sa.select(maps.c.id)):
        bind.execute(maps.update().where(maps.c.id == map_id)
                     .values(success_metrics=names.get(map_id, [])))
    with op.batch_alter_table("journey_maps", schema=None) as batch_op:
        batch_op.alter_column("success_metrics", existing_type=JSON, nullable=False)
