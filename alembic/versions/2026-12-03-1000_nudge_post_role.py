"""nudge post role: the lead's "couldn't reach the owner" card is kept as a post of its nudge

Revision ID: 3f6a2c8e1d57
Revises: 5b1e7c3d9a20
Create Date: 2026-12-03 10:00:00

A nudge that could not reach its recipient tells a lead; that card is now recorded like the
nudge's own messages (role "notice") so that it follows the item and says when the owner was
reached. Existing rows are the nudges' own messages ("nudge"); notices sent before this were
not recorded and stay as they are.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3f6a2c8e1d57"
down_revision: str | None = "5b1e7c3d9a20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("nudge_posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("role", sa.String(length=16), server_default="nudge", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("nudge_posts", schema=None) as batch_op:
        batch_op.drop_column("role")
