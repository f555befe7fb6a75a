"""activity source: the door each change came in by (api, web, slack, jira, github, system)

Revision ID: 704bb6ccd967
Revises: 9db148626c00
Create Date: 2026-12-02 09:30:00

Existing entries are filled from what they say: a "jira:"/"github:" actor label came from the
ticket, "... via Slack" (or the Slack delivery's own label) from Slack, a person's change from
the API (pages and API were not told apart before), anything else from the tracker itself.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "704bb6ccd967"
down_revision: str | None = "9db148626c00"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("activity_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=10), server_default="system", nullable=False))
        batch_op.create_index("ix_activity_log_source", ["source", "id"], unique=False)
    op.execute("""
        UPDATE activity_log SET source = CASE
            WHEN actor_label LIKE 'jira:%' THEN 'jira'
            WHEN actor_label LIKE 'github:%' THEN 'github'
            WHEN actor_label = 'slack' OR actor_label LIKE '% via Slack' THEN 'slack'
            WHEN actor_id IS NOT NULL THEN 'api'
            ELSE 'system'
        END
    """)


def downgrade() -> None:
    with op.batch_alter_table("activity_log", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_log_source")
        batch_op.drop_column("source")
