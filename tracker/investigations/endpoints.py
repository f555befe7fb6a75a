from __future__ import annotations

from fastapi import APIRouter, Response, status
from sqlalchemy import select

from tracker.api.deps import CurrentUser, DbSession, LeadOnly, Writer
from tracker.api.pagination import Page, keyset_page
from tracker.api.params import IdPath, IdQuery, Limit
from tracker.api.versioning import IfMatch, expected_version, set_etag
from tracker.investigations import service
from tracker.investigations.models import Investigation, InvestigationStatus
from tracker.investigations.schemas import (
    InvestigationCreate,
    InvestigationOut,
    InvestigationUpdate,
)

router = APIRouter(tags=["investigations"])


@router.get("/investigations", response_model=Page[InvestigationOut])
def list_investigations(
    session: DbSession, _: CurrentUser,
    moment_id: IdQuery = None,
    owner_id: IdQuery = None,
    status: InvestigationStatus | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
) -> Page[InvestigationOut]:
    """Root-cause investigations, newest first."""
    stmt = select(Investigation)
    if moment_id is not None:
        stmt = stmt.where(Investigation.moment_id == moment_id)
    if owner_id is not None:
        stmt = stmt.where(Investigation.owner_id == owner_id)
    if status is not None:
        stmt = stmt.where(Investigation.status == status)
    rows, next_cursor = keyset_page(session, stmt, sort_column=Investigation.id,
                                    id_column=Investigation.id, descending=True,
                                    cursor=cursor, limit=limit)
    return Page(items=[InvestigationOut.model_validate(i) for i in rows], next_cursor=next_cursor)


@router.post("/investigations", response_model=InvestigationOut,
             status_code=status.HTTP_201_CREATED)
def create_investigation(body: InvestigationCreate, session: DbSession,
                         lead: LeadOnly) -> InvestigationOut:
    """Open a root-cause investigation on a moment of truth (lead)."""
    inv = service.create_investigation(session, actor=lead, data=body.model_dump())
    return InvestigationOut.model_validate(inv)


@router.get("/investigations/{investigation_id}", response_model=InvestigationOut)
def get_investigation(investigation_id: IdPath, session: DbSession, _: CurrentUser,
                      response: Response) -> InvestigationOut:
    """One investigation."""
    inv = service.get_investigation(session, investigation_id)
    set_etag(response, inv)
    return InvestigationOut.model_validate(inv)


@router.patch("/investigations/{investigation_id}", response_model=InvestigationOut)
def update_investigation(investigation_id: IdPath, body: InvestigationUpdate, session: DbSession,
                         user: Writer, response: Response,
                         if_match: IfMatch = None) -> InvestigationOut:
    """Record findings and the root cause (its owner or a lead); concluding needs both."""
    data = body.model_dump(exclude_unset=True, exclude={"version"})
    inv = service.update_investigation(session, actor=user, investigation_id=investigation_id,
                                       expected_version=expected_version(if_match, body.version),
                                       data=data)
    set_etag(response, inv)
    return InvestigationOut.model_validate(inv)
