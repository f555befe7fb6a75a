"""`INSERT ... ON CONFLICT DO NOTHING` on both databases: how "recorded once" is enforced.

A conflicting row means someone else (another worker, an earlier run) already recorded it, which
is exactly the outcome wanted, so the statement neither fails nor aborts the transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignoring_conflicts(session: Session, model: Any) -> Any:
    """The dialect's INSERT for `model`, with ON CONFLICT DO NOTHING."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model).on_conflict_do_nothing()
    return sqlite.insert(model).on_conflict_do_nothing()
