"""A moment of truth's status, derived on read from its investigations and action items.

Never stored: it would go stale every time an action item moves, and it is cheap to derive
for a page of moments with one aggregate query.

Cancelled action items do not count as work: they neither start nor finish anything.
With the remaining ("live") action items of the moment:

- open:            no investigation and no live action item
- investigating:   no live action item, and at least one investigation (open, in progress,
                   or concluded but not yet turned into action items)
- actions_planned: live action items exist and every one is still `planned`
- in_progress:     some live action item is past `planned` (implementing, training,
                   closing_loop, blocked, or done) and not all of them are done
- loop_closed:     every live action item is done (so at least one is done; cancelled
                   ones are ignored)

An action item belongs to a moment through its own `moment_id` or, when that is empty,
through its investigation's moment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import CompoundSelect, Select, and_, case, func, select, union_all
from sqlalchemy.orm import Session, aliased

from tracker.actions.models import ActionItem, Phase
from tracker.investigations.models import Investigation, InvestigationStatus
from tracker.moments.models import MomentOfTruth


class MomentStatus(StrEnum):
    open = "open"
    investigating = "investigating"
    actions_planned = "actions_planned"
    in_progress = "in_progress"
    loop_closed = "loop_closed"


@dataclass(frozen=True)
class Counts:
    investigations: int = 0
    investigations_open: int = 0  # not concluded
    live_actions: int = 0  # not cancelled
    planned: int = 0
    done: int = 0


def derive(counts: Counts) -> MomentStatus:
    """The status for one moment's counts (pure; see the module docstring)."""
    if counts.live_actions == 0:
        return MomentStatus.investigating if counts.investigations else MomentStatus.open
    if counts.done == counts.live_actions:
        return MomentStatus.loop_closed
    if counts.planned == counts.live_actions:
        return MomentStatus.actions_planned
    return MomentStatus.in_progress


def action_moment_id():  # type: ignore[no-untyped-def]
    """SQL expression: the moment an action item belongs to (its own, else its investigation's)."""
    inv_moment = (
        select(Investigation.moment_id)
        .where(Investigation.id == ActionItem.investigation_id)
        .scalar_subquery()
    )
    return func.coalesce(ActionItem.moment_id, inv_moment)


# Up to this many moments (one moment's page, a digest's few), their items are found through
# the indexes; for more (a page of the ranked list), one pass over all items costs less than that
# many index ranges, each followed by a row lookup for the phase.
INDEXED_UP_TO = 20


def live_items_of(moment_ids: list[int]) -> Select[int, Phase] | CompoundSelect[int, Phase]:
    """(moment_id, phase) of every live action item of these moments, by the rule above.

    Both shapes are set-based. The one they replace, `coalesce(moment_id, <correlated subquery
    on investigations>)`, ran the subquery for every item of the table, and PostgreSQL costed
    that so high it JIT-compiled the statement: most of a second at 100k items, even for one moment.
    """
    live = ActionItem.phase != Phase.cancelled
    if len(moment_ids) <= INDEXED_UP_TO:
        # The moments' own items, and items with no moment of their own found through the
        # moments' investigations: each branch an index range.
        own = (select(ActionItem.moment_id.label("moment_id"), ActionItem.phase.label("phase"))
               .where(ActionItem.moment_id.in_(moment_ids), live))
        via_investigation = (
            select(Investigation.moment_id.label("moment_id"), ActionItem.phase.label("phase"))
            .join(ActionItem, ActionItem.investigation_id == Investigation.id)
            .where(Investigation.moment_id.in_(moment_ids), ActionItem.moment_id.is_(None), live))
        return union_all(own, via_investigation)
    via = aliased(Investigation)
    owner = func.coalesce(ActionItem.moment_id, via.moment_id)
    return (select(owner.label("moment_id"), ActionItem.phase.label("phase"))
            .outerjoin(via, and_(ActionItem.moment_id.is_(None), via.id == ActionItem.investigation_id))
            .where(live, owner.in_(moment_ids)))


def counts_for(session: Session, moment_ids: Iterable[int]) -> dict[int, Counts]:
    """Counts for many moments in one round trip (two grouped subqueries, outer-joined)."""
    ids = list(set(moment_ids))
    if not ids:
        return {}
    inv = (
        select(
            Investigation.moment_id.label("moment_id"),
            func.count().label("total"),
            func.sum(case((Investigation.status != InvestigationStatus.concluded, 1), else_=0))
            .label("open"),
        )
        .where(Investigation.moment_id.in_(ids))
        .group_by(Investigation.moment_id)
        .subquery()
    )
    act_rows = live_items_of(ids).subquery()
    act = (
        select(
            act_rows.c.moment_id,
            func.count().label("live"),
            func.sum(case((act_rows.c.phase == Phase.planned, 1), else_=0)).label("planned"),
            func.sum(case((act_rows.c.phase == Phase.done, 1), else_=0)).label("done"),
        )
        .group_by(act_rows.c.moment_id)
        .subquery()
    )
    stmt = (
        select(MomentOfTruth.id, inv.c.total, inv.c.open, act.c.live, act.c.planned, act.c.done)
        .outerjoin(inv, inv.c.moment_id == MomentOfTruth.id)
        .outerjoin(act, act.c.moment_id == MomentOfTruth.id)
        .where(MomentOfTruth.id.in_(ids))
    )
    result: dict[int, Counts] = {}
    for mid, total, open_, live, planned, done in session.execute(stmt):
        result[mid] = Counts(
            investigations=int(total or 0), investigations_open=int(open_ or 0),
            live_actions=int(live or 0), planned=int(planned or 0), done=int(done or 0),
        )
    return result


def statuses_for(session: Session, moment_ids: Iterable[int]) -> dict[int, MomentStatus]:
    ids = list(moment_ids)
    counts = counts_for(session, ids)
    return {mid: derive(counts.get(mid, Counts())) for mid in ids}
