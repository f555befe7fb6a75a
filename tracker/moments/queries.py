"""Reading moments of truth: the ranked priority list and one moment in full.

Paging: the list is ordered by effective rank, which is not a column (a pin moves every
moment below it), so a keyset cursor has nothing stable to seek on. Priority lists are
short (tens, at most a few hundred moments: each one is a workshop finding a lead ranked
by hand), so we rank them all in memory from a three-column query and hand out an opaque
cursor that carries the offset. Same `Page` shape as every other list. A pin or a score
change between two page requests can shift a moment across the page boundary; re-read
from the first page when that matters.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.actions.models import ActionItem
from tracker.errors import InvalidInput
from tracker.friction.models import FrictionPoint
from tracker.investigations.models import Investigation
from tracker.moments import priority
from tracker.moments.models import MomentOfTruth
from tracker.moments.ranking import RankInput, effective_ranks
from tracker.moments.schemas import (
    Factors,
    FrictionBrief,
    InvestigationBrief,
    MomentDetail,
    MomentOut,
)
from tracker.moments.status import MomentStatus, action_moment_id, statuses_for
from tracker.moments.weights import current_weights


def encode_offset(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode().rstrip("=")


def decode_offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        offset = int(json.loads(raw)["offset"])
    except (ValueError, TypeError, KeyError) as exc:
        raise InvalidInput("cursor is not one this API handed out", field="cursor") from exc
    if offset < 0:
        raise InvalidInput("cursor is not one this API handed out", field="cursor")
    return offset


def rank_map(session: Session) -> dict[int, int]:
    """{moment id: effective rank} for the whole programme."""
    rows = session.execute(
        select(MomentOfTruth.id, MomentOfTruth.score, MomentOfTruth.rank_override)
    ).all()
    order = effective_ranks([RankInput(r.id, r.score, r.rank_override) for r in rows])
    return {mid: position for position, mid in enumerate(order, start=1)}


def _out(moment: MomentOfTruth, rank: int, status: MomentStatus) -> dict[str, Any]:
    return {
        "id": moment.id, "title": moment.title, "description": moment.description,
        "journey_map_id": moment.journey_map_id, "factors": Factors.model_validate(moment),
        "score": moment.score, "rank": rank, "rank_override": moment.rank_override,
        "rank_override_reason": moment.rank_override_reason, "status": status,
        "created_by_id": moment.created_by_id, "created_at": moment.created_at,
        "version": moment.version,
    }


def list_moments(
    session: Session, *, journey_map_id: int | None, status: MomentStatus | None,
    cursor: str | None, limit: int,
) -> tuple[list[MomentOut], str | None]:
    ranks = rank_map(session)
    candidates = sorted(ranks, key=ranks.__getitem__)
    if journey_map_id is not None:
        in_map = set(session.scalars(select(MomentOfTruth.id).where(
            MomentOfTruth.journey_map_id == journey_map_id)))
        candidates = [m for m in candidates if m in in_map]
    statuses = statuses_for(session, candidates) if status is not None else {}
    if status is not None:
        candidates = [m for m in candidates if statuses[m] is status]
    offset = decode_offset(cursor)
    page_ids = candidates[offset:offset + limit]
    next_cursor = encode_offset(offset + limit) if len(candidates) > offset + limit else None
    if status is None:
        statuses = statuses_for(session, page_ids)  # the page only: one aggregate query
    loaded = {m.id: m for m in session.scalars(
        select(MomentOfTruth).where(MomentOfTruth.id.in_(page_ids)))}
    items = [MomentOut(**_out(loaded[m], ranks[m], statuses[m])) for m in page_ids]
    return items, next_cursor


def moment_out(session: Session, moment: MomentOfTruth) -> MomentOut:
    status = statuses_for(session, [moment.id])[moment.id]
    return MomentOut(**_out(moment, rank_map(session)[moment.id], status))


def moment_detail(
    session: Session, moment: MomentOfTruth, defaults: priority.Weights | None = None
) -> MomentDetail:
    base = moment_out(session, moment).model_dump()
    points = session.scalars(select(FrictionPoint).where(FrictionPoint.moment_id == moment.id)
                             .order_by(FrictionPoint.id))
    investigations = session.scalars(select(Investigation).where(
        Investigation.moment_id == moment.id).order_by(Investigation.id))
    owner = action_moment_id()
    by_phase = {
        str(phase): int(n) for phase, n in session.execute(
            select(ActionItem.phase, func.count()).where(owner == moment.id)
            .group_by(ActionItem.phase)
        )
    }
    weights = current_weights(session, defaults)
    return MomentDetail(
        **base,
        friction_points=[FrictionBrief.model_validate(fp) for fp in points],
        investigations=[InvestigationBrief.model_validate(i) for i in investigations],
        action_items_by_phase=by_phase,
        score_breakdown=priority.breakdown(priority.factors_of(moment), weights),
    )
