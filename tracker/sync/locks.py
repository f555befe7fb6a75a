"""Row locks that make a link's bookkeeping safe against concurrent changes to its item.

A link's `dirty_fields` and `snapshot` are read, changed and written back by API requests (the
change listener), by the push (recording an outcome) and by pulls (applying a ticket's news).
Without a lock, one of them can write back what it read before another committed, and a
change is silently lost. Everyone takes the locks in the same order, the item first and then
its link (as an API request does: it updates the item, then the listener marks the link), so
two of them never wait for each other in a circle. SQLite has no row locks (SQLAlchemy leaves
FOR UPDATE out) but needs none: its writers already run one at a time (tracker/db.py).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.actions.models import ActionItem
from tracker.sync.models import TicketLink


def lock_link(session: Session, link_id: int) -> tuple[TicketLink | None, ActionItem | None]:
    """The link and its item, locked and read fresh (not from the session's identity map)."""
    item_id = session.scalar(select(TicketLink.action_item_id).where(TicketLink.id == link_id))
    if item_id is None:
        return None, None
    item = session.get(ActionItem, item_id, with_for_update=True, populate_existing=True)
    link = session.get(TicketLink, link_id, with_for_update=True, populate_existing=True)
    return link, item


def lock_link_of_item(session: Session, item_id: int) -> TicketLink | None:
    """The item's link, locked; the caller has already written (so locked) the item."""
    return session.scalar(
        select(TicketLink).where(TicketLink.action_item_id == item_id)
        .with_for_update().execution_options(populate_existing=True)
    )
