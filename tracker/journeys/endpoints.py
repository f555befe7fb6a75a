from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from tracker.api.deps import CurrentUser, DbSession, LeadOnly
from tracker.api.pagination import Page, keyset_page
from tracker.api.params import IdPath, Limit
from tracker.api.versioning import IfMatch, etag, expected_version, set_etag
from tracker.journeys import service, structure
from tracker.journeys.models import JourneyMap, MapKind
from tracker.journeys.schemas import (
    JourneyMapCreate,
    JourneyMapOut,
    JourneyMapSummary,
    JourneyMapUpdate,
    StageCreate,
    StageOut,
    StageUpdate,
    StepCreate,
    StepOut,
    StepUpdate,
)
from tracker.journeys.views import map_out, stage_out, step_out, summaries

router = APIRouter(tags=["journeys"])

# Stage and step responses carry the ETag of their map: edits to them are checked against it.


@router.get("/journey-maps", response_model=Page[JourneyMapSummary])
def list_maps(
    session: DbSession,
    _: CurrentUser,
    kind: MapKind | None = None,
    persona: Annotated[str | None, Query(description="Persona contains this (any case).")] = None,
    cursor: str | None = None,
    limit: Limit = 50,
) -> Page[JourneyMapSummary]:
    """Journey maps, newest first (without their stages; GET one map for those)."""
    rows, next_cursor = keyset_page(
        session, service.list_maps_query(kind=kind, persona=persona),
        sort_column=JourneyMap.id, id_column=JourneyMap.id, descending=True,
        cursor=cursor, limit=limit,
    )
    return Page(items=summaries(session, list(rows)), next_cursor=next_cursor)


@router.post("/journey-maps", response_model=JourneyMapOut, status_code=status.HTTP_201_CREATED)
def create_map(
    body: JourneyMapCreate, session: DbSession, lead: LeadOnly, response: Response
) -> JourneyMapOut:
    """Record a journey map with its stages and steps, in order, in one request (lead)."""
    jmap = service.create_map(session, actor=lead, data=body.model_dump())
    jmap, out = map_out(session, jmap.id)
    set_etag(response, jmap)
    return out


@router.get("/journey-maps/{map_id}", response_model=JourneyMapOut)
def get_map(map_id: IdPath, session: DbSession, _: CurrentUser, response: Response) -> JourneyMapOut:
    """One map: stages, steps with their friction counts, and the emotion curve."""
    jmap, out = map_out(session, map_id)
    set_etag(response, jmap)
    return out


@router.patch("/journey-maps/{map_id}", response_model=JourneyMapOut)
def update_map(
    map_id: IdPath, body: JourneyMapUpdate, session: DbSession, lead: LeadOnly, response: Response,
    if_match: IfMatch = None,
) -> JourneyMapOut:
    """Edit a map's name, persona, scope, objectives or success metrics (lead; versioned)."""
    service.update_map(session, actor=lead, map_id=map_id,
                       expected_version=expected_version(if_match, body.version),
                       data=body.model_dump(exclude_unset=True, exclude={"version"}))
    jmap, out = map_out(session, map_id)
    set_etag(response, jmap)
    return out


def _stage_response(session: DbSession, map_id: int, stage_id: int, response: Response) -> StageOut:
    jmap = service.get_map(session, map_id, structure=True)
    counts = service.friction_counts(session, map_id)
    response.headers["ETag"] = etag(jmap.version)
    return next(stage_out(s, counts) for s in jmap.stages if s.id == stage_id)


@router.post("/journey-maps/{map_id}/stages", response_model=StageOut, status_code=201)
def add_stage(
    map_id: IdPath, body: StageCreate, session: DbSession, lead: LeadOnly, response: Response
) -> StageOut:
    """Add a stage (with optional steps) at a position, default the end (lead)."""
    stage = structure.add_stage(session, actor=lead, map_id=map_id, data=body.model_dump())
    return _stage_response(session, map_id, stage.id, response)


@router.patch("/stages/{stage_id}", response_model=StageOut)
def update_stage(
    stage_id: IdPath, body: StageUpdate, session: DbSession, lead: LeadOnly, response: Response,
    if_match: IfMatch = None,
) -> StageOut:
    """Rename or move a stage (lead; send the map's version)."""
    stage = structure.update_stage(
        session, actor=lead, stage_id=stage_id,
        expected_version=expected_version(if_match, body.version),
        data=body.model_dump(exclude_unset=True, exclude={"version"}))
    return _stage_response(session, stage.journey_map_id, stage.id, response)


@router.delete("/stages/{stage_id}", status_code=204)
def delete_stage(stage_id: IdPath, session: DbSession, lead: LeadOnly) -> Response:
    """Delete a stage and its steps; refused (409) while any of its steps has friction points."""
    structure.delete_stage(session, actor=lead, stage_id=stage_id)
    return Response(status_code=204)


def _step_response(session: DbSession, step_id: int, response: Response) -> StepOut:
    step = structure.get_step(session, step_id)
    stage = structure.get_stage(session, step.stage_id)
    jmap = service.get_map(session, stage.journey_map_id)
    response.headers["ETag"] = etag(jmap.version)
    return step_out(step, service.friction_counts(session, jmap.id))


@router.post("/stages/{stage_id}/steps", response_model=StepOut, status_code=201)
def add_step(
    stage_id: IdPath, body: StepCreate, session: DbSession, lead: LeadOnly, response: Response
) -> StepOut:
    """Add a step to a stage at a position, default the end (lead)."""
    step = structure.add_step(session, actor=lead, stage_id=stage_id, data=body.model_dump())
    return _step_response(session, step.id, response)


@router.patch("/steps/{step_id}", response_model=StepOut)
def update_step(
    step_id: IdPath, body: StepUpdate, session: DbSession, lead: LeadOnly, response: Response,
    if_match: IfMatch = None,
) -> StepOut:
    """Edit or move a step (position; stage_id in the same map) (lead; send the map's version)."""
    structure.update_step(
        session, actor=lead, step_id=step_id,
        expected_version=expected_version(if_match, body.version),
        data=body.model_dump(exclude_unset=True, exclude={"version"}))
    return _step_response(session, step_id, response)


@router.delete("/steps/{step_id}", status_code=204)
def delete_step(step_id: IdPath, session: DbSession, lead: LeadOnly) -> Response:
    """Delete a step; refused (409) while it has friction points."""
    structure.delete_step(session, actor=lead, step_id=step_id)
    return Response(status_code=204)
