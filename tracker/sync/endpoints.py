from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select

from tracker.actions.models import ActionItem
from tracker.api.deps import CurrentUser, DbSession, LeadOnly
from tracker.api.pagination import Page, keyset_page
from tracker.api.params import IdPath, IdQuery, Limit
from tracker.api.versioning import IfMatch, expected_version, set_etag
from tracker.errors import NotFound
from tracker.sync import service
from tracker.sync.models import LinkState, TicketLink, TicketTarget
from tracker.sync.schemas import LinkOut, TargetChoice, TargetCreate, TargetOut, TargetUpdate

router = APIRouter(tags=["tickets"])


@router.get("/ticket-targets", response_model=list[TargetOut])
def list_targets(session: DbSession, _: CurrentUser) -> list[TargetOut]:
    """Jira projects and GitHub repositories that action items go to."""
    return [TargetOut.model_validate(t) for t in session.scalars(select(TicketTarget).order_by(TicketTarget.name))]


@router.post("/ticket-targets", response_model=TargetOut, status_code=201)
def create_target(body: TargetCreate, request: Request, session: DbSession, lead: LeadOnly) -> TargetOut:
    """Add a ticket target; its connection (credentials) must be configured in the environment."""
    target = service.create_target(session, actor=lead, settings=request.app.state.settings,
                                   data=body.model_dump(), check_mapping=request.app.state.mapping_check)
    return TargetOut.model_validate(target)


@router.get("/ticket-targets/{target_id}", response_model=TargetOut)
def get_target(target_id: IdPath, session: DbSession, _: CurrentUser, response: Response) -> TargetOut:
    """One ticket target."""
    target = service.get_target(session, target_id)
    set_etag(response, target)
    return TargetOut.model_validate(target)


@router.patch("/ticket-targets/{target_id}", response_model=TargetOut)
def update_target(
    target_id: IdPath, body: TargetUpdate, request: Request, session: DbSession, lead: LeadOnly,
    response: Response, if_match: IfMatch = None,
) -> TargetOut:
    """Edit a ticket target (e.g. its field mapping)."""
    target = service.update_target(
        session, actor=lead, settings=request.app.state.settings, target_id=target_id,
        expected_version=expected_version(if_match, body.version),
        data=body.model_dump(exclude_unset=True, exclude={"version"}),
        check_mapping=request.app.state.mapping_check,
    )
    set_etag(response, target)
    return TargetOut.model_validate(target)


@router.put("/moments/{moment_id}/ticket-target", response_model=TargetChoice)
def choose_moment_target(moment_id: IdPath, body: TargetChoice, session: DbSession, lead: LeadOnly) -> TargetChoice:
    """Send this moment's action items to another target than their teams' (null: the teams')."""
    service.set_moment_target(session, actor=lead, moment_id=moment_id, target_id=body.ticket_target_id)
    return body


@router.post("/action-items/{item_id}/ticket", response_model=LinkOut, status_code=202)
def push_item(item_id: IdPath, session: DbSession, lead: LeadOnly) -> LinkOut:
    """Push an action item to its target as a ticket (created by the worker, exactly once)."""
    return LinkOut.model_validate(service.promote_item(session, actor=lead, item_id=item_id))


@router.post("/moments/{moment_id}/tickets", response_model=list[LinkOut], status_code=202)
def push_moment(moment_id: IdPath, session: DbSession, lead: LeadOnly) -> list[LinkOut]:
    """Push every open, not yet linked action item of a moment of truth."""
    return [LinkOut.model_validate(link) for link in service.promote_moment(session, actor=lead, moment_id=moment_id)]


@router.get("/action-items/{item_id}/ticket", response_model=LinkOut)
def get_item_link(item_id: IdPath, session: DbSession, _: CurrentUser) -> LinkOut:
    """The ticket an action item is synced to, and the state of that link."""
    if session.get(ActionItem, item_id) is None:
        raise NotFound("action item", item_id)
    link = service.link_for(session, item_id)
    if link is None:
        raise NotFound("ticket link of action item", item_id)
    return LinkOut.model_validate(link)


@router.post("/action-items/{item_id}/ticket/resume", response_model=LinkOut, status_code=202)
def resume_link(item_id: IdPath, session: DbSession, lead: LeadOnly, recreate: bool = False) -> LinkOut:
    """Resume a broken link once its cause is fixed; `recreate=true` makes a new ticket."""
    return LinkOut.model_validate(service.resume_link(session, actor=lead, item_id=item_id, recreate=recreate))


@router.get("/ticket-links", response_model=Page[LinkOut])
def list_links(
    session: DbSession, _: CurrentUser,
    state: Annotated[LinkState | None, Query(description="e.g. broken")] = None,
    target_id: IdQuery = None, cursor: str | None = None, limit: Limit = 50,
) -> Page[LinkOut]:
    """Ticket links, e.g. the broken ones a lead must look at."""
    stmt = select(TicketLink)
    if state is not None:
        stmt = stmt.where(TicketLink.state == state)
    if target_id is not None:
        stmt = stmt.where(TicketLink.target_id == target_id)
    rows, next_cursor = keyset_page(session, stmt, sort_column=TicketLink.id, id_column=TicketLink.id,
                                    descending=False, cursor=cursor, limit=limit)
    return Page(items=[LinkOut.model_validate(r) for r in rows], next_cursor=next_cursor)
