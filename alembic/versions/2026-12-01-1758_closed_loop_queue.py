"""closed-loop queue: each checklist entry's contact key, and the message template of an item

Revision ID: af4cd418de75
Revises: 1c7a6f5124b8
Create Date: 2026-12-01 17:58:51.940532

The queue of customers still owed news groups one person's pending entries across items by
their contact, compared without case or spaces (tracker.actions.models.contact_key). The key is
stored with each entry and indexed over pending entries only (by person, and by item), so the
queue walks people in order instead of normalising every contact on every read. Existing rows get their key here,
computed by the same rule in Python (SQL's lower/replace would miss tabs and line breaks).

action_items.customer_message_template is the text a lead writes for the customers of one fix;
NULL keeps the default.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "af4cd418de75"
down_revision: str | None = "1c7a6f5124b8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000
PENDING = "status = 'pending'"


def _key(contact: str) -> str:
    # A copy of tracker.actions.models.contact_key: migrations never import app code.
    return "".join(contact.split()).lower()


def _backfill() -> None:
    conn = op.get_bind()
    entries = sa.table("checklist_entries", sa.column("id", sa.Integer), sa.column("contact", sa.String),
                       sa.column("contact_key", sa.String))
    last = 0
    while True:
        rows = conn.execute(sa.select(entries.c.id, entries.c.contact).where(entries.c.id > last)
                            .order_by(entries.c.id).limit(BATCH)).all()
        if not rows:
            return
        conn.execute(sa.update(entries).where(entries.c.id == sa.bindparam("row_id"))
                     .values(contact_key=sa.bindparam("key")),
                     [{"row_id": r.id, "key": _key(r.contact)} for r in rows])
        last = rows[-1].id


def upgrade() -> None:
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("customer_message_template", sa.Text(), nullable=True))

    with op.batch_alter_table("checklist_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_key", sa.String(length=320), nullable=True))
    _backfill()
    with op.batch_alter_table("checklist_entries", schema=None) as batch_op:
        batch_op.alter_column("contact_key", existing_type=sa.String(length=320), nullable=False)
        batch_op.create_index("ix_checklist_entries_pending_contact", ["contact_key", "action_item_id"],
                              unique=False, postgresql_where=sa.text(PENDING), sqlite_where=sa.text(PENDING))
        batch_op.create_index("ix_checklist_entries_pending_item", ["action_item_id", "contact_key"],
                              unique=False, postgresql_where=sa.text(PENDING), sqlite_where=sa.text(PENDING))


def downgrade() -> None:
    with op.batch_alter_table("checklist_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_checklist_entries_pending_item", postgresql_where=sa.text(PENDING),
                            sqlite_where=sa.text(PENDING))
        batch_op.drop_index("ix_checklist_entries_pending_contact", postgresql_where=sa.text(PENDING),
                            sqlite_where=sa.text(PENDING))
        batch_op.drop_column("contact_key")

    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.drop_column("customer_message_template")
