from __future__ import annotations

from fastapi import APIRouter

from tracker.activity.models import ActivityEntry
from tracker.activity.schemas import ActivityOut
from tracker.activity.service import activity_query
from tracker.activity.source import Source
from tracker.api.deps import CurrentUser, DbSession
from tracker.api.pagination import Page, keyset_page
from tracker.api.params import IdQuery, Limit

router = APIRouter(prefix="/activity", tags=["activity"])


@router.get("", response_model=Page[ActivityOut])
def list_activity(
    session: DbSession,
    me: CurrentUser,
    entity_type: str | None = None,
    entity_id: IdQuery = None,
    action_item_id: IdQuery = None,
    moment_id: IdQuery = None,
    actor_id: IdQuery = None,
    source: Source | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
) -> Page[ActivityOut]:
    """The activity log, newest first: who changed what, when, from what to what, and through
    what (`source`: api, web, slack, jira, github, or system for the tracker's own sweeps).
    Where a sign-in came from (`ip`, `user_agent`) is in its changes for admins only."""
    stmt = activity_query(
        entity_type=entity_type,
        entity_id=entity_id,
        action_item_id=action_item_id,
        moment_id=moment_id,
        actor_id=actor_id,
        source=source,
    )
    rows, next_cursor = keyset_page(
        session, stmt, sort_column=ActivityEntry.id, id_column=ActivityEntry.id,
        descending=True, cursor=cursor, limit=limit,
    )
    return Page(items=[ActivityOut.for_viewer(r, me) for r in rows], next_cursor=next_cursor)
