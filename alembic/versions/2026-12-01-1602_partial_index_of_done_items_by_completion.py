"""partial index of done items by completion time

Replaces the (phase, completed_at) index: on PostgreSQL an empty or small table let the planner
pick it for the open-item lists (then sort); a partial index of done items cannot be chosen
for them, and it is smaller.

Revision ID: 56642d29675d
Revises: 7c1e5d2a9b40
Create Date: 2026-12-01 15:51:10.797908
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '56642d29675d'
down_revision: str | None = '7c1e5d2a9b40'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DONE = "phase = 'done'"


def upgrade() -> None:
    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.drop_index('ix_action_items_phase_completed')
        batch_op.create_index('ix_action_items_done_completed', ['completed_at'], unique=False,
                              postgresql_where=sa.text(DONE), sqlite_where=sa.text(DONE))


def downgrade() -> None:
    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.drop_index('ix_action_items_done_completed', postgresql_where=sa.text(DONE),
                            sqlite_where=sa.text(DONE))
        batch_op.create_index('ix_action_items_phase_completed', ['phase', 'completed_at'], unique=False)
