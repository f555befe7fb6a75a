from __future__ import annotations

from fastapi import APIRouter, Response, status

from tracker.api.deps import CurrentUser, DbSession, LeadOnly
from tracker.api.pagination import Page
from tracker.api.params import IdPath, IdQuery, Limit
from tracker.api.versioning import IfMatch, expected_version, set_etag
from tracker.moments import queries, service, weights
from tracker.moments.deps import DefaultWeights
from tracker.moments.models import PriorityWeightSet
from tracker.moments.priority import Weights
from tracker.moments.schemas import (
    GroupFrictionPoints,
    MomentCreate,
    MomentDetail,
    MomentOut,
    MomentUpdate,
    RankUpdate,
    WeightsIn,
    WeightsOut,
)
from tracker.moments.status import MomentStatus

router = APIRouter(tags=["moments"])


def _weights_out(row: PriorityWeightSet | None, defaults: Weights,
                 rescored: int | None = None) -> WeightsOut:
    w = Weights.of(row) if row is not None else defaults
    return WeightsOut(
        reach=w.reach, severity=w.severity, emotional_weight=w.emotional_weight,
        business_impact=w.business_impact, source="programme" if row else "default",
        version=row.version if row else None, updated_by_id=row.updated_by_id if row else None,
        updated_at=row.updated_at if row else None, moments_rescored=rescored,
    )


@router.get("/priority-weights", response_model=WeightsOut)
def get_weights(session: DbSession, _: CurrentUser, defaults: DefaultWeights,
                response: Response) -> WeightsOut:
    """The weights of the priority formula: the programme's, else the configured defaults."""
    row = weights.weights_row(session)
    if row is not None:
        set_etag(response, row)
    return _weights_out(row, defaults)


@router.put("/priority-weights", response_model=WeightsOut)
def put_weights(body: WeightsIn, session: DbSession, lead: LeadOnly, defaults: DefaultWeights,
                response: Response, if_match: IfMatch = None) -> WeightsOut:
    """Set the programme's weights (lead) and rescore every moment of truth."""
    # The first save has nothing to be stale against; later ones need the version.
    expected = expected_version(if_match, body.version) if (
        if_match is not None or body.version is not None) else None
    row, rescored = weights.set_weights(session, actor=lead, data=body.model_dump(),
                                        expected_version=expected, defaults=defaults)
    set_etag(response, row)
    return _weights_out(row, defaults, rescored)


@router.get("/moments", response_model=Page[MomentOut])
def list_moments(
    session: DbSession, _: CurrentUser,
    journey_map_id: IdQuery = None,
    status: MomentStatus | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
) -> Page[MomentOut]:
    """Moments of truth in priority order: pinned ranks first where pinned, then by score."""
    items, next_cursor = queries.list_moments(session, journey_map_id=journey_map_id,
                                              status=status, cursor=cursor, limit=limit)
    return Page(items=items, next_cursor=next_cursor)


@router.post("/moments", response_model=MomentOut, status_code=status.HTTP_201_CREATED)
def create_moment(body: MomentCreate, session: DbSession, lead: LeadOnly,
                  defaults: DefaultWeights) -> MomentOut:
    """Record a moment of truth (lead), optionally grouping friction points under it."""
    moment = service.create_moment(session, actor=lead, data=body.model_dump(), defaults=defaults)
    return queries.moment_out(session, moment)


@router.get("/moments/{moment_id}", response_model=MomentDetail)
def get_moment(moment_id: IdPath, session: DbSession, _: CurrentUser, defaults: DefaultWeights,
               response: Response) -> MomentDetail:
    """One moment: friction points, investigations, action items by phase, status, score."""
    moment = service.get_moment(session, moment_id)
    set_etag(response, moment)
    return queries.moment_detail(session, moment, defaults)


@router.patch("/moments/{moment_id}", response_model=MomentOut)
def update_moment(moment_id: IdPath, body: MomentUpdate, session: DbSession, lead: LeadOnly,
                  defaults: DefaultWeights, response: Response,
                  if_match: IfMatch = None) -> MomentOut:
    """Edit a moment's title, description, map or factors (lead); the score is recomputed."""
    data = body.model_dump(exclude_unset=True, exclude={"version"})
    if body.factors is not None:
        data["factors"] = body.factors.model_dump(exclude_unset=True)
    moment = service.update_moment(session, actor=lead, moment_id=moment_id,
                                   expected_version=expected_version(if_match, body.version),
                                   data=data, defaults=defaults)
    set_etag(response, moment)
    return queries.moment_out(session, moment)


@router.put("/moments/{moment_id}/rank", response_model=MomentOut)
def set_rank(moment_id: IdPath, body: RankUpdate, session: DbSession, lead: LeadOnly,
             response: Response, if_match: IfMatch = None) -> MomentOut:
    """Pin a moment at a rank with a reason, or unpin it with `rank: null` (lead)."""
    moment = service.set_rank(session, actor=lead, moment_id=moment_id,
                              expected_version=expected_version(if_match, body.version),
                              rank=body.rank, reason=body.reason)
    set_etag(response, moment)
    return queries.moment_out(session, moment)


@router.post("/moments/{moment_id}/friction-points", response_model=MomentDetail)
def group_friction_points(moment_id: IdPath, body: GroupFrictionPoints, session: DbSession,
                          lead: LeadOnly, defaults: DefaultWeights) -> MomentDetail:
    """Group friction points under this moment of truth (lead)."""
    service.group_friction_points(session, actor=lead, moment_id=moment_id,
                                  friction_point_ids=body.friction_point_ids)
    return queries.moment_detail(session, service.get_moment(session, moment_id), defaults)


@router.delete("/moments/{moment_id}/friction-points/{friction_point_id}",
               response_model=MomentDetail)
def ungroup_friction_point(moment_id: IdPath, friction_point_id: IdPath, session: DbSession,
                           lead: LeadOnly, defaults: DefaultWeights) -> MomentDetail:
    """Take a friction point out of this moment of truth (lead)."""
    service.ungroup_friction_point(session, actor=lead, moment_id=moment_id,
                                   friction_point_id=friction_point_id)
    return queries.moment_detail(session, service.get_moment(session, moment_id), defaults)
