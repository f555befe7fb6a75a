"""Action items over HTTP: thin handlers; the rules live in tracker/actions/service.py."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from tracker.actions import board, service, worklist
from tracker.actions.board_schemas import BoardOut, board_out
from tracker.actions.endpoints_parts import router as parts_router
from tracker.actions.models import ActionItem, Phase
from tracker.actions.phases import done_blockers
from tracker.actions.queries import SORTS, ActionFilters, list_query
from tracker.actions.schemas import (
    ActionItemCreate,
    ActionItemDetail,
    ActionItemOut,
    ActionItemUpdate,
    ActionSort,
    ChecklistCounts,
    Link,
    MomentLink,
    PhaseChange,
    TrainingSummary,
    WaiverCreate,
    WorkPlanIn,
)
from tracker.actions.worklist_schemas import MyWorkOut, my_work_out
from tracker.activity.models import ActivityEntry
from tracker.activity.schemas import ActivityOut
from tracker.activity.service import activity_query
from tracker.api.deps import CurrentUser, DbSession, LeadOnly, Writer
from tracker.api.pagination import Page, keyset_page
from tracker.api.params import IdPath, IdQuery, Limit
from tracker.api.versioning import IfMatch, expected_version, set_etag
from tracker.clock import Today

router = APIRouter(tags=["actions"])


def _out(response: Response, item: ActionItem) -> ActionItemOut:
    set_etag(response, item)
    return ActionItemOut.model_validate(item)


@router.post("/action-items", response_model=ActionItemOut, status_code=status.HTTP_201_CREATED)
def create_action_item(
    body: ActionItemCreate, session: DbSession, lead: LeadOnly, response: Response
) -> ActionItemOut:
    """Create an action item (lead or admin); seeds its closed-loop checklist."""
    item = service.create_action_item(session, actor=lead, data=body.model_dump())
    return _out(response, item)


@router.get("/action-items", response_model=Page[ActionItemOut])
def list_action_items(
    session: DbSession,
    _: CurrentUser,
    today: Today,
    owner_id: IdQuery = None,
    team_id: IdQuery = None,
    phase: Annotated[list[Phase] | None, Query(description="Repeat to match several.")] = None,
    moment_id: IdQuery = None,
    investigation_id: IdQuery = None,
    journey_map_id: IdQuery = None,
    overdue: Annotated[bool, Query(description="Deadline passed, not done or cancelled.")] = False,
    due_before: Annotated[date | None, Query(description="Deadline strictly before this.")] = None,
    sort: ActionSort = ActionSort.deadline,
    cursor: str | None = None,
    limit: Limit = 50,
) -> Page[ActionItemOut]:
    """Action items, filtered and sorted (ties broken by id), one cursor page at a time."""
    filters = ActionFilters(
        owner_id=owner_id, team_id=team_id, phases=phase or (), moment_id=moment_id,
        investigation_id=investigation_id, journey_map_id=journey_map_id, overdue=overdue,
        due_before=due_before,
    )
    column, descending = SORTS[sort]
    rows, next_cursor = keyset_page(
        session, list_query(filters, today=today), sort_column=column, id_column=ActionItem.id,
        descending=descending, cursor=cursor, limit=limit,
    )
    return Page(items=[ActionItemOut.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.get("/board", response_model=BoardOut)
def get_board(
    session: DbSession,
    _: CurrentUser,
    today: Today,
    owner_id: IdQuery = None,
    team_id: IdQuery = None,
    moment_id: IdQuery = None,
    journey_map_id: IdQuery = None,
    overdue: Annotated[bool, Query(description="Deadline passed, not done or cancelled.")] = False,
) -> BoardOut:
    """The action board: a column per phase with its count of matching items and its 28 nearest
    deadlines, each card with its owner, team, ticket, training and closed-loop progress (the
    board page's data; the filters are those of GET /action-items)."""
    filters = ActionFilters(owner_id=owner_id, team_id=team_id, moment_id=moment_id,
                            journey_map_id=journey_map_id, overdue=overdue)
    return board_out(board.board_columns(session, filters, today=today))


@router.get("/my-work", response_model=MyWorkOut)
def my_work(session: DbSession, me: CurrentUser, today: Today) -> MyWorkOut:
    """The caller's open items by deadline, each with what stands between it and done, its next
    step and snoozes (what the Slack reminder offers), and what they finished in the last two
    weeks: the data of the My work page."""
    return my_work_out(worklist.my_work(session, person=me, today=today))


@router.get("/action-items/{item_id}", response_model=ActionItemDetail)
def get_action_item(
    item_id: IdPath, session: DbSession, _: CurrentUser, response: Response
) -> ActionItemDetail:
    """One action item with its training summary, checklist counts and moment/investigation."""
    d = service.item_detail(session, item_id)
    item, t, counts = d.item, d.training, d.checklist_counts
    set_etag(response, item)
    return ActionItemDetail(
        **ActionItemOut.model_validate(item).model_dump(),
        training=TrainingSummary(
            needed=t.needed, waived=d.gate.training_waived, complete=d.gate.training_complete,
            sessions_held=t.sessions_held, people_trained=t.people_trained,
            target_count=t.target_count,
        ),
        checklist=ChecklistCounts(**counts, waived=d.gate.checklist_waived),
        allowed_next=d.allowed_next,
        done_blockers=done_blockers(d.gate),
        moment=(MomentLink(id=d.moment.id, title=d.moment.title,
                           journey_map_id=d.moment.journey_map_id) if d.moment else None),
        investigation=(Link(id=d.investigation.id, title=d.investigation.title)
                       if d.investigation else None),
    )


@router.patch("/action-items/{item_id}", response_model=ActionItemOut)
def update_action_item(
    item_id: IdPath, body: ActionItemUpdate, session: DbSession, user: Writer, response: Response,
    if_match: IfMatch = None,
) -> ActionItemOut:
    """Edit an item: owners edit title/description; leads also owner, team, deadline, priority."""
    data = body.model_dump(exclude_unset=True, exclude={"version"})
    item = service.update_action_item(session, actor=user, item_id=item_id, data=data,
                                      expected_version=expected_version(if_match, body.version))
    return _out(response, item)


@router.post("/action-items/{item_id}/phase", response_model=ActionItemOut)
def change_phase(
    item_id: IdPath, body: PhaseChange, session: DbSession, user: Writer, response: Response,
    if_match: IfMatch = None,
) -> ActionItemOut:
    """Move an item to another phase; 409 names the current phase and the allowed ones."""
    item = service.change_phase(session, actor=user, item_id=item_id, to=body.to,
                                reason=body.reason,
                                expected_version=expected_version(if_match, body.version))
    return _out(response, item)


@router.post("/action-items/{item_id}/waivers", response_model=ActionItemOut)
def waive(
    item_id: IdPath, body: WaiverCreate, session: DbSession, lead: LeadOnly, response: Response,
    if_match: IfMatch = None,
) -> ActionItemOut:
    """Waive training or the checklist so the item can be done without it (lead or admin)."""
    item = service.waive(session, actor=lead, item_id=item_id, what=body.what, reason=body.reason,
                         expected_version=expected_version(if_match, body.version))
    return _out(response, item)


@router.put("/action-items/{item_id}/work-plan", response_model=ActionItemOut)
def submit_work_plan(
    item_id: IdPath, body: WorkPlanIn, session: DbSession, user: Writer, response: Response,
    if_match: IfMatch = None,
) -> ActionItemOut:
    """Submit (or replace) the owner's work plan for resolving the issue."""
    item = service.submit_work_plan(session, actor=user, item_id=item_id, text=body.text,
                                    expected_version=expected_version(if_match, body.version))
    return _out(response, item)


@router.get("/action-items/{item_id}/activity", response_model=Page[ActivityOut])
def item_activity(
    item_id: IdPath, session: DbSession, me: CurrentUser, cursor: str | None = None, limit: Limit = 50,
) -> Page[ActivityOut]:
    """The item's history (including training, checklist and progress), newest first."""
    service.get_item(session, item_id)
    rows, next_cursor = keyset_page(
        session, activity_query(action_item_id=item_id), sort_column=ActivityEntry.id,
        id_column=ActivityEntry.id, descending=True, cursor=cursor, limit=limit,
    )
    return Page(items=[ActivityOut.for_viewer(r, me) for r in rows], next_cursor=next_cursor)


router.include_router(parts_router)
