"""action item open spans: when each item was open, and under which deadline

Revision ID: 915e56b6a15b
Revises: 3f6a2c8e1d57
Create Date: 2026-12-04 09:00:00

The programme's twelve weeks count the items open and overdue at each week's end. They were
rebuilt from each item's current deadline and completion, so moving a deadline later (or
reopening an item) rewrote past weeks. This table keeps the history instead: one row per stretch
an item stayed open under one deadline (tracker/actions/spans.py).

Existing items get one stretch each, from what the rows hold now: open ones from creation on,
done ones from creation to completion, cancelled ones none. That is exactly what the weeks
showed before this revision, so upgrading changes no past figure; changes from here on are kept.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "915e56b6a15b"
down_revision: str | None = "3f6a2c8e1d57"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURRENT = "ended_at IS NULL"
ENDED = "ended_at IS NOT NULL"
OPEN = "phase IN ('planned', 'implementing', 'training', 'closing_loop', 'blocked')"
DONE = "phase = 'done'"


def upgrade() -> None:
    op.create_table(
        "action_item_open_spans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_item_id", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["action_item_id"], ["action_items.id"],
                                name=op.f("fk_action_item_open_spans_action_item_id_action_items"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_item_open_spans")),
    )
    with op.batch_alter_table("action_item_open_spans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_item_open_spans_action_item_id"), ["action_item_id"],
                              unique=False)
        batch_op.create_index("uq_action_item_open_spans_current", ["action_item_id"], unique=True,
                              postgresql_where=sa.text(CURRENT), sqlite_where=sa.text(CURRENT))
        batch_op.create_index("ix_action_item_open_spans_current_deadline", ["deadline", "started_at", "ended_at"],
                              unique=False, postgresql_where=sa.text(CURRENT), sqlite_where=sa.text(CURRENT))
        batch_op.create_index("ix_action_item_open_spans_ended", ["ended_at", "started_at", "deadline"],
                              unique=False, postgresql_where=sa.text(ENDED), sqlite_where=sa.text(ENDED))
    op.execute(
        "INSERT INTO action_item_open_spans (action_item_id, deadline, started_at, ended_at) "
        f"SELECT id, deadline, created_at, NULL FROM action_items WHERE {OPEN} "
        f"UNION ALL SELECT id, deadline, created_at, completed_at FROM action_items "
        f"WHERE {DONE} AND completed_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("action_item_open_spans", schema=None) as batch_op:
        batch_op.drop_index("ix_action_item_open_spans_ended", postgresql_where=sa.text(ENDED),
                            sqlite_where=sa.text(ENDED))
        batch_op.drop_index("ix_action_item_open_spans_current_deadline", postgresql_where=sa.text(CURRENT),
                            sqlite_where=sa.text(CURRENT))
        batch_op.drop_index("uq_action_item_open_spans_current", postgresql_where=sa.text(CURRENT),
                            sqlite_where=sa.text(CURRENT))
        batch_op.drop_index(batch_op.f("ix_action_item_open_spans_action_item_id"))
    op.drop_table("action_item_open_spans")
