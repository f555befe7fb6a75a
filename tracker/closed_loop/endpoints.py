"""The closed-loop queue over HTTP: thin handlers over queue.py, marks.py and messages.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from tracker.actions.access import get_item
from tracker.actions.models import NotificationStatus, Phase
from tracker.api.deps import CurrentUser, DbSession, LeadOnly, Writer
from tracker.api.params import IdPath, IdQuery, Limit
from tracker.api.versioning import IfMatch, expected_version, set_etag
from tracker.closed_loop import marks, messages, queue
from tracker.closed_loop.schemas import (
    CustomerMessageIn,
    CustomerMessageOut,
    CustomerQueuePage,
    ItemQueuePage,
    MarkedOut,
    MarksIn,
    MarksOut,
    QueueCustomerOut,
    QueueItemOut,
    QueueTotals,
    StaleOut,
)

router = APIRouter(tags=["closed loop"])

PhaseFilter = Annotated[list[Phase] | None, Query(
    description="Items in these phases (repeat for several); closing_loop and done when omitted. "
                "Never cancelled.")]


Contact = Annotated[str | None, Query(max_length=320, description="One person's entries (case and spaces ignored).")]


def _filters(phase: list[Phase] | None, team_id: int | None, item_id: int | None,
             contact: str | None) -> queue.QueueFilters:
    return queue.QueueFilters(phases=tuple(phase or ()), team_id=team_id, item_id=item_id, contact=contact)


@router.get("/closed-loop/queue", response_model=CustomerQueuePage)
def customer_queue(
    session: DbSession, _: CurrentUser, phase: PhaseFilter = None, team_id: IdQuery = None,
    item_id: IdQuery = None, contact: Contact = None, cursor: str | None = None, limit: Limit = 50,
) -> CustomerQueuePage:
    """Customers still owed news about a shipped fix, one group per person, in contact order."""
    page = queue.customer_page(session, _filters(phase, team_id, item_id, contact), cursor=cursor, limit=limit)
    return CustomerQueuePage(items=[QueueCustomerOut.of(g) for g in page.groups],
                             next_cursor=page.next_cursor, totals=QueueTotals.of(page.totals))


@router.get("/closed-loop/queue/by-item", response_model=ItemQueuePage)
def item_queue(
    session: DbSession, _: CurrentUser, phase: PhaseFilter = None, team_id: IdQuery = None,
    item_id: IdQuery = None, contact: Contact = None, cursor: str | None = None, limit: Limit = 50,
) -> ItemQueuePage:
    """The same queue grouped by fix, soonest deadline first."""
    page = queue.item_page(session, _filters(phase, team_id, item_id, contact), cursor=cursor, limit=limit)
    return ItemQueuePage(items=[QueueItemOut.of(g) for g in page.groups],
                         next_cursor=page.next_cursor, totals=QueueTotals.of(page.totals))


@router.post("/closed-loop/marks", response_model=MarksOut)
def mark(body: MarksIn, session: DbSession, user: Writer) -> MarksOut:
    """Mark several checklist entries at once (one customer about several fixes, or a selection).

    Entries someone changed since you saw them are left alone and listed in `stale` with who did
    it; the others are marked. Any owner-role person, lead or admin may; viewers may not.
    """
    result = marks.mark_entries(
        session, actor=user, refs=[marks.EntryRef(e.id, e.version) for e in body.entries],
        status=NotificationStatus(body.status), message=body.message, note=body.note,
        record_drafts=body.record_drafts)
    return MarksOut(
        marked=[MarkedOut(id=e.id, version=e.version, action_item_id=e.action_item_id, status=e.status.value)
                for e in result.marked],
        stale=[StaleOut(id=s.entry.id, action_item_id=s.item.id, version=s.entry.version,
                        status=s.entry.status.value, changed_by=s.changed_by, changed_at=s.changed_at,
                        what=s.what) for s in result.stale],
        cleared_items=[i.id for i in result.cleared])


@router.get("/action-items/{item_id}/customer-message", response_model=CustomerMessageOut)
def get_customer_message(item_id: IdPath, session: DbSession, _: CurrentUser,
                         response: Response) -> CustomerMessageOut:
    """The message template customers get about this fix (ETag: the item's version)."""
    item = get_item(session, item_id)
    set_etag(response, item)
    return CustomerMessageOut.of(item.id, item.customer_message_template, item.version,
                                 messages.DEFAULT_TEMPLATE)


@router.put("/action-items/{item_id}/customer-message", response_model=CustomerMessageOut)
def put_customer_message(
    item_id: IdPath, body: CustomerMessageIn, session: DbSession, lead: LeadOnly, response: Response,
    if_match: IfMatch = None,
) -> CustomerMessageOut:
    """Write the item's message template (lead or admin); placeholders: {customer_name}, {contact},
    {fix}. Null or empty text goes back to the default."""
    item = messages.set_template(session, actor=lead, item_id=item_id, text=body.text,
                                 expected_version=expected_version(if_match, body.version))
    set_etag(response, item)
    return CustomerMessageOut.of(item.id, item.customer_message_template, item.version,
                                 messages.DEFAULT_TEMPLATE)
