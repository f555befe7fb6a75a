"""metric counted_at: when the worker last recorded a count of a counted metric

Revision ID: 5b1e7c3d9a20
Revises: da09adee626a
Create Date: 2026-12-03 09:00:00

The metric's page and `GET /metrics/{id}` say when a Jira/GitHub metric was last counted.
Existing metrics start without it (None, "not counted since this column exists"); the next
count fills it in.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b1e7c3d9a20"
down_revision: str | None = "da09adee626a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("success_metrics") as batch_op:
        batch_op.add_column(sa.Column("counted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("success_metrics") as batch_op:
        batch_op.drop_column("counted_at")
