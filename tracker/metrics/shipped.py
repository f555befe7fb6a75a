"""When a moment's fixes shipped: the first and last `completed_at` of its done action items.

An item belongs to a moment through its own `moment_id` or, without one, through its
investigation's moment (tracker/moments/status.py); cancelled items never count. Both branches
are index ranges, so the cost follows the moments asked about, not the whole programme.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session

from tracker.actions.models import ActionItem, Phase
from tracker.investigations.models import Investigation


def ship_dates(session: Session, moment_ids: list[int]) -> dict[int, tuple[date, date]]:
    """{moment id: (first, last) completion day, UTC} for moments with a completed done item."""
    if not moment_ids:
        return {}
    done = (ActionItem.phase == Phase.done, ActionItem.completed_at.is_not(None))
    own = (select(ActionItem.moment_id.label("moment_id"), ActionItem.completed_at.label("at"))
           .where(ActionItem.moment_id.in_(moment_ids), *done))
    via_investigation = (
        select(Investigation.moment_id.label("moment_id"), ActionItem.completed_at.label("at"))
        .join(ActionItem, ActionItem.investigation_id == Investigation.id)
        .where(Investigation.moment_id.in_(moment_ids), ActionItem.moment_id.is_(None), *done))
    items = union_all(own, via_investigation).subquery()
    rows = session.execute(
        select(items.c.moment_id, func.min(items.c.at), func.max(items.c.at))
        .group_by(items.c.moment_id)
    )
    return {moment_id: (first.date(), last.date()) for moment_id, first, last in rows}
