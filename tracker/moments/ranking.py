"""Effective rank: the order of the programme's priority list.

The rule, for all N moments of the programme (filters never change a moment's rank):

1. Pinned moments (those with a `rank_override`) are taken in order of
   (rank_override, score desc, id); the others in order of (score desc, id).
2. Positions 1..N are filled one at a time. At position p the next pinned moment goes
   there if its rank_override <= p; otherwise the next unpinned moment does; when the
   unpinned ones run out, the remaining pinned moments follow in order.

So a pin at rank k lands exactly at k when k <= N and no other pin wants k. A pin beyond
the end of the list lands at the end (there is nothing to put before it), and a second
pin at an already taken rank (only possible through concurrent edits; the API refuses it
with 409) lands right after the first. Rank 1 is the top.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class RankInput:
    id: int
    score: float
    rank_override: int | None


def effective_ranks(moments: Sequence[RankInput]) -> list[int]:
    """Moment ids in effective-rank order (index 0 is rank 1)."""
    pinned = sorted(
        (m for m in moments if m.rank_override is not None),
        key=lambda m: (m.rank_override, -m.score, m.id),
    )
    free = sorted((m for m in moments if m.rank_override is None), key=lambda m: (-m.score, m.id))
    order: list[int] = []
    pi = fi = 0
    for position in range(1, len(moments) + 1):
        pin_due = pi < len(pinned) and (pinned[pi].rank_override or 0) <= position
        if pin_due or fi >= len(free):
            order.append(pinned[pi].id)
            pi += 1
        else:
            order.append(free[fi].id)
            fi += 1
    return order
