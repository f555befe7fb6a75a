"""Pages of verdicts across the programme: every moment that names a metric, or the flagged ones.

Verdicts are computed, not stored, so the flagged filter cannot be an index: a page walks the
moments that name a metric in id order, a batch at a time (each batch judged set-based), until
it has `limit` answers. The cursor is the last moment walked, so the next page resumes there.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.api.pagination import decode_cursor, encode_cursor
from tracker.metrics.models import MomentMetric
from tracker.metrics.verdicts import MomentVerdicts, verdicts_for_moments

BATCH = 200


def verdict_page(session: Session, *, flagged: bool, cursor: str | None, limit: int,
                 window: int, today: date | None = None) -> tuple[list[MomentVerdicts], str | None]:
    after = decode_cursor(cursor, MomentMetric.moment_id)[1] if cursor else 0
    found: list[MomentVerdicts] = []
    while True:
        ids = list(session.scalars(
            select(MomentMetric.moment_id).where(MomentMetric.moment_id > after)
            .group_by(MomentMetric.moment_id).order_by(MomentMetric.moment_id).limit(BATCH)))
        judged = verdicts_for_moments(session, ids, today=today, window=window)
        for moment_id in ids:
            after = moment_id
            verdicts = judged.get(moment_id)
            if verdicts is None or (flagged and not verdicts.flagged):
                continue
            found.append(verdicts)
            if len(found) == limit:
                more = moment_id != ids[-1] or len(ids) == BATCH
                return found, encode_cursor(moment_id, moment_id) if more else None
        if len(ids) < BATCH:
            return found, None
