"""The parts of an action item over HTTP: progress updates, training, closed-loop checklist."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy import select

from tracker.actions import checklist, service
from tracker.actions.models import NotificationStatus, ProgressUpdate
from tracker.actions.schemas import (
    ChecklistEntryCreate,
    ChecklistEntryOut,
    ChecklistEntryUpdate,
    ProgressIn,
    ProgressOut,
    TrainingOut,
    TrainingUpdate,
)
from tracker.actions.training import training_for
from tracker.api.deps import CurrentUser, DbSession, Writer
from tracker.api.pagination import Page, keyset_page
from tracker.api.params import IdPath, Limit
from tracker.api.versioning import IfMatch, expected_version, set_etag

router = APIRouter(tags=["actions"])


@router.get("/action-items/{item_id}/updates", response_model=Page[ProgressOut])
def list_updates(
    item_id: IdPath, session: DbSession, _: CurrentUser, cursor: str | None = None, limit: Limit = 50,
) -> Page[ProgressOut]:
    """Progress updates on an item, newest first."""
    service.get_item(session, item_id)
    stmt = select(ProgressUpdate).where(ProgressUpdate.action_item_id == item_id)
    rows, next_cursor = keyset_page(session, stmt, sort_column=ProgressUpdate.id,
                                    id_column=ProgressUpdate.id, descending=True, cursor=cursor,
                                    limit=limit)
    return Page(items=[ProgressOut.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.post("/action-items/{item_id}/updates", response_model=ProgressOut, status_code=201)
def add_update(item_id: IdPath, body: ProgressIn, session: DbSession, user: Writer) -> ProgressOut:
    """Post a progress update (the item's owner or a lead)."""
    update = service.add_progress_update(session, actor=user, item_id=item_id, note=body.note)
    return ProgressOut.model_validate(update)


@router.get("/action-items/{item_id}/training", response_model=TrainingOut)
def get_training(
    item_id: IdPath, session: DbSession, _: CurrentUser, response: Response
) -> TrainingOut:
    """The item's training record (ETag is the record's own version)."""
    record = training_for(session, service.get_item(session, item_id))
    set_etag(response, record)
    return TrainingOut.model_validate(record)


@router.patch("/action-items/{item_id}/training", response_model=TrainingOut)
def update_training(
    item_id: IdPath, body: TrainingUpdate, session: DbSession, user: Writer, response: Response,
    if_match: IfMatch = None,
) -> TrainingOut:
    """Record training: needed, audience, sessions held, people trained, target, notes."""
    data = body.model_dump(exclude_unset=True, exclude={"version"})
    record = service.update_training(session, actor=user, item_id=item_id, data=data,
                                     expected_version=expected_version(if_match, body.version))
    set_etag(response, record)
    return TrainingOut.model_validate(record)


@router.get("/action-items/{item_id}/checklist", response_model=Page[ChecklistEntryOut])
def list_checklist(
    item_id: IdPath, session: DbSession, _: CurrentUser,
    status: Annotated[NotificationStatus | None, Query(description="Only this status.")] = None,
    cursor: str | None = None, limit: Limit = 50,
) -> Page[ChecklistEntryOut]:
    """The closed-loop checklist: customers to tell about the fix, and whether they were told."""
    service.get_item(session, item_id)
    rows, next_cursor = keyset_page(
        session, checklist.entries_query(item_id, status), sort_column=checklist.ChecklistEntry.id,
        id_column=checklist.ChecklistEntry.id, descending=False, cursor=cursor, limit=limit,
    )
    return Page(items=[ChecklistEntryOut.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.post("/action-items/{item_id}/checklist", response_model=ChecklistEntryOut,
             status_code=201)
def add_checklist_entry(
    item_id: IdPath, body: ChecklistEntryCreate, session: DbSession, user: Writer, response: Response,
) -> ChecklistEntryOut:
    """Add a customer to tell by hand; the channel is guessed from the contact when omitted."""
    entry = checklist.add_entry(session, actor=user, item_id=item_id, data=body.model_dump())
    set_etag(response, entry)
    return ChecklistEntryOut.model_validate(entry)


@router.patch("/action-items/{item_id}/checklist/{entry_id}", response_model=ChecklistEntryOut)
def update_checklist_entry(
    item_id: IdPath, entry_id: IdPath, body: ChecklistEntryUpdate, session: DbSession, user: Writer,
    response: Response, if_match: IfMatch = None,
) -> ChecklistEntryOut:
    """Record how and whether a customer was told; notifying stamps who and when."""
    data = body.model_dump(exclude_unset=True, exclude={"version"})
    entry = checklist.update_entry(session, actor=user, item_id=item_id, entry_id=entry_id,
                                   data=data,
                                   expected_version=expected_version(if_match, body.version))
    set_etag(response, entry)
    return ChecklistEntryOut.model_validate(entry)
