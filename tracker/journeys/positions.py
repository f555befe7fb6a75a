"""Dense, unique positions (0..n-1) for stages in a map and steps in a stage.

Both tables have a UNIQUE (parent, position) constraint that PostgreSQL and SQLite check row
by row, so a plain `position = position + 1` shift can collide half-way. Moving the rows that
change to negative scratch positions first, then to their final places, never collides.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy.orm import Session


class Positioned(Protocol):
    position: int


def insert_at(items: list[Positioned], item: Positioned, position: int | None) -> list[Positioned]:
    """`items` with `item` placed at `position` (clamped; None means the end)."""
    at = len(items) if position is None else min(position, len(items))
    return [*items[:at], item, *items[at:]]


def renumber(session: Session, ordered: Sequence[Positioned]) -> None:
    """Give `ordered` the positions 0..n-1 (new objects must already be added to the session)."""
    moved = [(i, obj) for i, obj in enumerate(ordered) if obj.position != i]
    if not moved:
        return
    for i, obj in moved:
        obj.position = -1 - i
    session.flush()
    for i, obj in moved:
        obj.position = i
    session.flush()
