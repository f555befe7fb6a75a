from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response, status

from tracker.api.deps import CurrentUser, DbSession, LeadOnly
from tracker.api.pagination import Page, keyset_page
from tracker.api.params import MAX_ID, IdPath, IdQuery, Limit
from tracker.api.versioning import IfMatch, expected_version, set_etag
from tracker.clock import Today
from tracker.friction import csv_import, service
from tracker.friction.csv_rows import csv_text
from tracker.friction.models import EvidenceSource, FrictionPoint
from tracker.friction.pin_schemas import PinOut, pin_out
from tracker.friction.queries import pins_for_map
from tracker.friction.schemas import (
    CustomerIn,
    CustomerOut,
    EvidenceIn,
    EvidenceOut,
    FrictionCreate,
    FrictionDetail,
    FrictionOut,
    FrictionUpdate,
    ImportReportOut,
)
from tracker.journeys.service import get_map

router = APIRouter(tags=["friction"])

MAX_CSV_BYTES = 5_000_000  # a workshop board export is kilobytes; this only stops accidents


@router.get("/journey-maps/{map_id}/pins", response_model=list[PinOut])
def map_pins(map_id: IdPath, session: DbSession, _: CurrentUser, today: Today,
             in_full: Annotated[int | None, Query(ge=1, le=MAX_ID, description=(
                 "A friction point whose fixes are all listed (the others list their 5 most urgent)."))] = None,
             ) -> list[PinOut]:
    """A map's friction points as its page pins them (oldest first, each naming its step): each
    with its moment of truth and severity, and the action items fixing it (phase, owner,
    deadline, overdue), counted in full and the most urgent listed."""
    get_map(session, map_id)  # 404 for a map that does not exist
    by_step = pins_for_map(session, journey_map_id=map_id, today=today, in_full=in_full)
    return sorted((pin_out(pin) for pins in by_step.values() for pin in pins), key=lambda p: p.id)


def _detail(session: DbSession, friction_id: int, response: Response) -> FrictionDetail:
    fp = service.get_friction(session, friction_id, full=True)
    set_etag(response, fp)
    return FrictionDetail(**FrictionOut.model_validate(fp).model_dump(),
                          **service.location(session, fp),
                          evidence=[EvidenceOut.model_validate(e) for e in fp.evidence],
                          affected_customers=[CustomerOut.model_validate(c)
                                              for c in fp.affected_customers])


@router.get("/friction-points", response_model=Page[FrictionOut])
def list_friction(
    session: DbSession,
    _: CurrentUser,
    journey_map_id: IdQuery = None,
    step_id: IdQuery = None,
    moment_id: IdQuery = None,
    unassigned: Annotated[bool | None, Query(
        description="true: not yet grouped into a moment of truth; false: grouped.")] = None,
    source: Annotated[EvidenceSource | None, Query(
        description="Has at least one piece of evidence from this source.")] = None,
    cursor: str | None = None,
    limit: Limit = 50,
) -> Page[FrictionOut]:
    """Friction points, newest first."""
    stmt = service.list_query(journey_map_id=journey_map_id, step_id=step_id,
                              moment_id=moment_id, unassigned=unassigned, source=source)
    rows, next_cursor = keyset_page(session, stmt, sort_column=FrictionPoint.id,
                                    id_column=FrictionPoint.id, descending=True,
                                    cursor=cursor, limit=limit)
    return Page(items=[FrictionOut.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.post("/friction-points", response_model=FrictionDetail, status_code=201)
def create_friction(
    body: FrictionCreate, session: DbSession, lead: LeadOnly, response: Response
) -> FrictionDetail:
    """Record a friction point at a step, with its evidence and affected customers (lead)."""
    fp = service.create_friction(session, actor=lead, data=body.model_dump())
    return _detail(session, fp.id, response)


@router.get("/friction-points/{friction_id}", response_model=FrictionDetail)
def get_friction(
    friction_id: IdPath, session: DbSession, _: CurrentUser, response: Response
) -> FrictionDetail:
    """One friction point with its evidence, affected customers, place on the map and moment."""
    return _detail(session, friction_id, response)


@router.patch("/friction-points/{friction_id}", response_model=FrictionDetail)
def update_friction(
    friction_id: IdPath, body: FrictionUpdate, session: DbSession, lead: LeadOnly,
    response: Response, if_match: IfMatch = None,
) -> FrictionDetail:
    """Edit a friction point, move it to another step of its map, or (un)assign its moment."""
    service.update_friction(session, actor=lead, friction_id=friction_id,
                            expected_version=expected_version(if_match, body.version),
                            data=body.model_dump(exclude_unset=True, exclude={"version"}))
    return _detail(session, friction_id, response)


@router.post("/friction-points/{friction_id}/evidence", response_model=EvidenceOut,
             status_code=status.HTTP_201_CREATED)
def add_evidence(
    friction_id: IdPath, body: EvidenceIn, session: DbSession, lead: LeadOnly
) -> EvidenceOut:
    """Attach a piece of evidence (workshop, interview, survey, tickets, ...) (lead)."""
    item = service.add_evidence(session, actor=lead, friction_id=friction_id,
                                data=body.model_dump())
    return EvidenceOut.model_validate(item)


@router.delete("/friction-points/{friction_id}/evidence/{evidence_id}", status_code=204)
def delete_evidence(
    friction_id: IdPath, evidence_id: IdPath, session: DbSession, lead: LeadOnly
) -> Response:
    """Remove a piece of evidence (lead)."""
    service.delete_evidence(session, actor=lead, friction_id=friction_id, evidence_id=evidence_id)
    return Response(status_code=204)


@router.post("/friction-points/{friction_id}/affected-customers", response_model=CustomerOut,
             status_code=status.HTTP_201_CREATED)
def add_customer(
    friction_id: IdPath, body: CustomerIn, session: DbSession, lead: LeadOnly
) -> CustomerOut:
    """Add a customer who met this friction and must hear about the fix (lead)."""
    item = service.add_customer(session, actor=lead, friction_id=friction_id,
                                data=body.model_dump())
    return CustomerOut.model_validate(item)


@router.delete("/friction-points/{friction_id}/affected-customers/{customer_id}",
               status_code=204)
def delete_customer(
    friction_id: IdPath, customer_id: IdPath, session: DbSession, lead: LeadOnly
) -> Response:
    """Remove an affected customer (lead)."""
    service.delete_customer(session, actor=lead, friction_id=friction_id,
                            customer_id=customer_id)
    return Response(status_code=204)


_CSV_EXAMPLE = (
    "stage,step,title,evidence_source,evidence_note,customer_name,customer_contact\n"
    "Notice,Open invoice,Unexplained adjustment line,workshop,Sticky from the board,"
    "Dana Ruiz,dana@example.com\n"
)


@router.post("/journey-maps/{map_id}/friction-points/import", response_model=ImportReportOut,
             description=csv_import.__doc__)
def import_friction(
    map_id: IdPath,
    session: DbSession,
    lead: LeadOnly,
    body: Annotated[bytes, Body(media_type="text/csv", examples=[_CSV_EXAMPLE],
                                description="The CSV file itself, UTF-8 (see the columns above).")],
    dry_run: Annotated[bool, Query(description="Validate and count only; write nothing.")] = False,
) -> ImportReportOut:
    """Import friction points from a workshop-board or spreadsheet CSV; all rows or none (lead)."""
    text = csv_text(body, max_bytes=MAX_CSV_BYTES)
    report = csv_import.import_friction_csv(session, actor=lead, text=text,
                                            journey_map_id=map_id, dry_run=dry_run)
    return ImportReportOut.model_validate(report, from_attributes=True)
