"""Every moment's status at once, for the programme-wide views.

The rule is moments.status's own (`derive` over `Counts`, and an action item belongs to its
own moment, else to its investigation's). Only the query differs from `statuses_for`, which
takes a list of moments: here every moment in one pass, the investigation an outer join
costed at its real size. (A correlated subquery per item, as statuses_for once used, made
PostgreSQL JIT-compile the statement and spend more time compiling than counting.)
"""

from __future__ import annotations

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased

from tracker.actions.models import ActionItem, Phase
from tracker.investigations.models import Investigation, InvestigationStatus
from tracker.moments.models import MomentOfTruth
from tracker.moments.status import Counts, MomentStatus, derive


def all_counts(session: Session) -> dict[int, Counts]:
    """Counts for every moment of the programme (zeros for a moment with nothing yet)."""
    fields = ("investigations", "investigations_open", "live_actions", "planned", "done")
    raw = {moment_id: dict.fromkeys(fields, 0) for moment_id in session.scalars(select(MomentOfTruth.id))}
    open_case = case((Investigation.status != InvestigationStatus.concluded, 1), else_=0)
    for moment_id, total, open_ in session.execute(
        select(Investigation.moment_id, func.count(), func.sum(open_case)).group_by(Investigation.moment_id)
    ):
        if moment_id in raw:
            raw[moment_id].update(investigations=int(total), investigations_open=int(open_ or 0))
    via = aliased(Investigation)
    owner = func.coalesce(ActionItem.moment_id, via.moment_id)
    stmt = (
        select(owner, func.count(), func.sum(case((ActionItem.phase == Phase.planned, 1), else_=0)),
               func.sum(case((ActionItem.phase == Phase.done, 1), else_=0)))
        .outerjoin(via, and_(ActionItem.moment_id.is_(None), via.id == ActionItem.investigation_id))
        .where(ActionItem.phase != Phase.cancelled, owner.is_not(None))
        .group_by(owner)
    )
    for moment_id, live, planned, done in session.execute(stmt):
        if moment_id in raw:
            raw[moment_id].update(live_actions=int(live), planned=int(planned or 0), done=int(done or 0))
    return {moment_id: Counts(**values) for moment_id, values in raw.items()}


def all_statuses(session: Session) -> dict[int, MomentStatus]:
    return {moment_id: derive(counts) for moment_id, counts in all_counts(session).items()}
