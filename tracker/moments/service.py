"""Moments of truth: create, edit, group friction points, pin a rank.

Grouping and ungrouping change which customers a moment's action items must tell, so both are
announced through tracker/friction/hooks.py (the actions domain listens there).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.activity.service import apply_changes, record
from tracker.api.versioning import check_version
from tracker.errors import Conflict, InvalidInput, NotFound
from tracker.friction import hooks
from tracker.friction.models import FrictionPoint
from tracker.journeys.models import JourneyMap
from tracker.moments import priority
from tracker.moments.models import MomentOfTruth
from tracker.moments.weights import current_weights
from tracker.people.models import Person


def get_moment(session: Session, moment_id: int) -> MomentOfTruth:
    moment = session.get(MomentOfTruth, moment_id)
    if moment is None:
        raise NotFound("moment", moment_id)
    return moment


def _check_journey(session: Session, journey_map_id: int | None) -> None:
    if journey_map_id is not None and session.get(JourneyMap, journey_map_id) is None:
        raise InvalidInput(f"journey map {journey_map_id} does not exist", field="journey_map_id")


def _friction_points(
    session: Session, ids: Sequence[int], *, field: str, moment_id: int | None
) -> list[FrictionPoint]:
    """Load and vet friction points to group under `moment_id` (None: a moment being created)."""
    unique = list(dict.fromkeys(ids))
    found = {fp.id: fp for fp in session.scalars(
        select(FrictionPoint).where(FrictionPoint.id.in_(unique)))}
    for index, fp_id in enumerate(ids):
        fp = found.get(fp_id)
        if fp is None:
            raise InvalidInput(f"friction point {fp_id} does not exist", field=f"{field}.{index}")
        # A friction point belongs to at most one moment; moving it silently would rewrite
        # another moment's history, so the lead ungroups it there first.
        if fp.moment_id is not None and fp.moment_id != moment_id:
            raise Conflict(
                f"friction point {fp_id} is already grouped under moment {fp.moment_id}; "
                "ungroup it there first", field=f"{field}.{index}", moment_id=fp.moment_id,
            )
    return [found[i] for i in unique]


def _group(session: Session, *, actor: Person, moment: MomentOfTruth,
           points: Sequence[FrictionPoint]) -> list[int]:
    grouped = []
    for fp in points:
        if fp.moment_id == moment.id:
            continue  # already there: grouping is idempotent
        changes = apply_changes(fp, {"moment_id": moment.id})
        record(session, actor=actor, entity_type="friction_point", entity_id=fp.id,
               action="grouped", changes=changes, moment_id=moment.id)
        grouped.append(fp.id)
    session.flush()
    if grouped:
        hooks.announce(session, friction_point_ids=grouped, moment_ids={moment.id}, actor=actor,
                       reason=_grouped_reason(grouped, moment.id))
    return grouped


def _grouped_reason(fp_ids: Sequence[int], moment_id: int) -> str:
    if len(fp_ids) == 1:
        return f"friction point {fp_ids[0]} was grouped into moment {moment_id}"
    return f"friction points {', '.join(map(str, fp_ids))} were grouped into moment {moment_id}"


def create_moment(
    session: Session, *, actor: Person, data: dict[str, Any],
    defaults: priority.Weights | None = None,
) -> MomentOfTruth:
    """data: title, description?, journey_map_id?, factors? (dict), friction_point_ids?."""
    _check_journey(session, data.get("journey_map_id"))
    fp_ids = data.get("friction_point_ids") or []
    points = _friction_points(session, fp_ids, field="friction_point_ids", moment_id=None)
    factors = {name: 3 for name in priority.FACTORS} | dict(data.get("factors") or {})
    moment = MomentOfTruth(
        title=data["title"], description=data.get("description") or "",
        journey_map_id=data.get("journey_map_id"), created_by_id=actor.id, **factors,
        score=priority.score(factors, current_weights(session, defaults)),
    )
    session.add(moment)
    session.flush()
    record(session, actor=actor, entity_type="moment", entity_id=moment.id, action="created",
           changes={"title": moment.title, "score": moment.score, **factors},
           moment_id=moment.id)
    _group(session, actor=actor, moment=moment, points=points)
    return moment


def update_moment(
    session: Session, *, actor: Person, moment_id: int, expected_version: int,
    data: dict[str, Any], defaults: priority.Weights | None = None,
) -> MomentOfTruth:
    moment = get_moment(session, moment_id)
    check_version(moment, expected_version, "moment")
    if "journey_map_id" in data:
        _check_journey(session, data["journey_map_id"])
    for name in ("title", "description"):
        if name in data and data[name] is None:
            raise InvalidInput(f"{name} cannot be null", field=name)
    updates = {k: v for k, v in data.items() if k != "factors"}
    updates |= {k: v for k, v in (data.get("factors") or {}).items() if v is not None}
    factors = priority.factors_of(moment) | {k: v for k, v in updates.items()
                                            if k in priority.FACTORS}
    updates["score"] = priority.score(factors, current_weights(session, defaults))
    changes = apply_changes(moment, updates)
    if changes:
        session.flush()
        record(session, actor=actor, entity_type="moment", entity_id=moment.id,
               action="updated", changes=changes, moment_id=moment.id)
    return moment


def set_rank(
    session: Session, *, actor: Person, moment_id: int, expected_version: int,
    rank: int | None, reason: str | None,
) -> MomentOfTruth:
    """Pin the moment at `rank` (1 = top) with a reason, or unpin it (rank None)."""
    moment = get_moment(session, moment_id)
    check_version(moment, expected_version, "moment")
    reason = (reason or "").strip() or None
    if rank is not None:
        if reason is None:
            raise InvalidInput("say why this moment is pinned: a reason is required",
                               field="reason")
        holder = session.scalar(select(MomentOfTruth.id).where(
            MomentOfTruth.rank_override == rank, MomentOfTruth.id != moment.id))
        if holder is not None:
            raise Conflict(f"moment {holder} is already pinned at rank {rank}; unpin it first",
                           field="rank", moment_id=holder)
    changes = apply_changes(moment, {"rank_override": rank, "rank_override_reason": reason})
    if changes:
        session.flush()
        record(session, actor=actor, entity_type="moment", entity_id=moment.id,
               action="rank_pinned" if rank is not None else "rank_unpinned",
               changes=changes, moment_id=moment.id)
    return moment


def group_friction_points(
    session: Session, *, actor: Person, moment_id: int, friction_point_ids: Sequence[int]
) -> list[int]:
    """Group friction points under the moment; returns the ids that were newly grouped."""
    moment = get_moment(session, moment_id)
    points = _friction_points(session, friction_point_ids, field="friction_point_ids",
                              moment_id=moment.id)
    return _group(session, actor=actor, moment=moment, points=points)


def ungroup_friction_point(
    session: Session, *, actor: Person, moment_id: int, friction_point_id: int
) -> FrictionPoint:
    moment = get_moment(session, moment_id)
    fp = session.get(FrictionPoint, friction_point_id)
    if fp is None or fp.moment_id != moment.id:
        raise NotFound(f"friction point grouped under moment {moment.id}", friction_point_id)
    changes = apply_changes(fp, {"moment_id": None})
    session.flush()
    record(session, actor=actor, entity_type="friction_point", entity_id=fp.id,
           action="ungrouped", changes=changes, moment_id=moment.id)
    hooks.announce(session, friction_point_ids={fp.id}, moment_ids={moment.id}, actor=actor,
                   reason=f"friction point {fp.id} was ungrouped from moment {moment.id}")
    return fp
