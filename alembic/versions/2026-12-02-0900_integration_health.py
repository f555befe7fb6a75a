"""integration health: last delivery per connection, refused signed requests per hour

Revision ID: 9db148626c00
Revises: af4cd418de75
Create Date: 2026-12-02 09:00:00

connection_activity holds, per connection, when the worker last delivered a message through it.
inbound_rejections counts webhooks and Slack requests refused for their signature, one row per
source and hour. inbound_deliveries gains an index so a source's last 24 hours are a range read.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9db148626c00"
down_revision: str | None = "af4cd418de75"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "connection_activity",
        sa.Column("connection", sa.String(length=60), nullable=False),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_success_kind", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("connection", name=op.f("pk_connection_activity")),
    )
    op.create_table(
        "inbound_rejections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=80), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_rejections")),
        sa.UniqueConstraint("source", "hour", name=op.f("uq_inbound_rejections_source_hour")),
    )
    with op.batch_alter_table("inbound_rejections", schema=None) as batch_op:
        batch_op.create_index("ix_inbound_rejections_hour", ["hour"], unique=False)
    with op.batch_alter_table("inbound_deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_inbound_deliveries_source_received", ["source", "received_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inbound_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_inbound_deliveries_source_received")
    with op.batch_alter_table("inbound_rejections", schema=None) as batch_op:
        batch_op.drop_index("ix_inbound_rejections_hour")
    op.drop_table("inbound_rejections")
    op.drop_table("connection_activity")
