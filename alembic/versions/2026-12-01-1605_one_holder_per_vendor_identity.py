"""one holder per vendor identity

Before the unique indexes exist, any duplicate identity stops the upgrade with the people who
share it named: which of them really is that Jira, GitHub or Slack user is for an admin to
decide (a person could claim a colleague's identity before this release), not for a rule such
as "the first row wins", which might keep the claimer and drop the colleague.

Revision ID: 1c7a6f5124b8
Revises: 56642d29675d
Create Date: 2026-12-01 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '1c7a6f5124b8'
down_revision: str | None = '56642d29675d'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("slack_user_id", "jira_account_id", "github_login")


def duplicates(connection: sa.Connection) -> list[str]:
    """One line per shared identity: the value and everyone holding it."""
    lines = []
    for column in COLUMNS:
        rows = connection.execute(sa.text(
            f"SELECT {column}, id, name FROM people WHERE {column} IN "
            f"(SELECT {column} FROM people WHERE {column} IS NOT NULL GROUP BY {column} HAVING COUNT(*) > 1) "
            f"ORDER BY {column}, id")).all()
        holders: dict[str, list[str]] = {}
        for value, person_id, name in rows:
            holders.setdefault(value, []).append(f"{name} (person {person_id})")
        lines += [f"{column} {value!r} is held by {', '.join(names)}" for value, names in holders.items()]
    return lines


def upgrade() -> None:
    shared = duplicates(op.get_bind())
    if shared:
        raise RuntimeError(
            "cannot make vendor identities unique while people share them:\n  "
            + "\n  ".join(shared)
            + "\nClear the identity on everyone but its real holder (PATCH /people/{id} as an admin, "
            "or SQL), then run the migration again."
        )
    with op.batch_alter_table('people', schema=None) as batch_op:
        for column in COLUMNS:
            where = sa.text(f"{column} IS NOT NULL")
            batch_op.create_index(f'uq_people_{column}', [column], unique=True,
                                  postgresql_where=where, sqlite_where=where)


def downgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.drop_index(f'uq_people_{column}')
