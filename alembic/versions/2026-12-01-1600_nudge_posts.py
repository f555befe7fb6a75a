"""nudge posts: every Slack message a nudge was posted as, in a table of its own

Revision ID: 7c1e5d2a9b40
Revises: 2adc3ea94c33
Create Date: 2026-12-01 16:00:00

Before this, an escalation's second message (the lead's DM after the channel post) could only
be kept space-separated in nudges.slack_channel / slack_ts. Those lists become rows here, and
the two columns go back to holding the first message only.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c1e5d2a9b40"
down_revision: str | None = "2adc3ea94c33"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "nudge_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nudge_id", sa.Integer(), nullable=False),
        sa.Column("action_item_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("ts", sa.String(length=40), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["action_item_id"], ["action_items.id"],
                                name=op.f("fk_nudge_posts_action_item_id_action_items"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["nudge_id"], ["nudges.id"], name=op.f("fk_nudge_posts_nudge_id_nudges"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudge_posts")),
        sa.UniqueConstraint("channel", "ts", name=op.f("uq_nudge_posts_channel_ts")),
    )
    with op.batch_alter_table("nudge_posts", schema=None) as batch_op:
        batch_op.create_index("ix_nudge_posts_item", ["action_item_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_nudge_posts_nudge_id"), ["nudge_id"], unique=False)

    conn = op.get_bind()
    when = sa.DateTime(timezone=True)
    nudges = sa.table("nudges", sa.column("id", sa.Integer), sa.column("action_item_id", sa.Integer),
                      sa.column("slack_channel", sa.String), sa.column("slack_ts", sa.String),
                      sa.column("sent_at", when), sa.column("created_at", when))
    posts = sa.table("nudge_posts", sa.column("nudge_id", sa.Integer), sa.column("action_item_id", sa.Integer),
                     sa.column("channel", sa.String), sa.column("ts", sa.String), sa.column("posted_at", when))
    rows = conn.execute(sa.select(nudges).where(nudges.c.slack_ts.is_not(None))).all()
    seen: set[tuple[str, str]] = set()
    for row in rows:
        pairs = list(zip((row.slack_channel or "").split(), (row.slack_ts or "").split(), strict=False))
        for channel, ts in pairs:
            if (channel, ts) not in seen:
                seen.add((channel, ts))
                conn.execute(sa.insert(posts).values(nudge_id=row.id, action_item_id=row.action_item_id,
                                                     channel=channel, ts=ts,
                                                     posted_at=row.sent_at or row.created_at))
        if len(pairs) > 1:
            conn.execute(sa.update(nudges).where(nudges.c.id == row.id)
                         .values(slack_channel=pairs[0][0], slack_ts=pairs[0][1]))


def downgrade() -> None:
    with op.batch_alter_table("nudge_posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nudge_posts_nudge_id"))
        batch_op.drop_index("ix_nudge_posts_item")
    op.drop_table("nudge_posts")
