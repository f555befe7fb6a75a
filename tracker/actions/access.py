"""Loading action items and deciding who may change them (shared by the actions modules)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tracker.actions.models import ActionItem
from tracker.errors import Forbidden, NotFound
from tracker.people.models import Person, Role

LEAD_ROLES = frozenset({Role.lead, Role.admin})


def get_item(session: Session, item_id: int) -> ActionItem:
    item = session.get(ActionItem, item_id)
    if item is None:
        raise NotFound("action item", item_id)
    return item


def is_lead(actor: Person | None) -> bool:
    return actor is not None and actor.role in LEAD_ROLES


def ensure_lead(actor: Person | None, what: str) -> None:
    """Leads and admins only. `actor=None` (the system: sync, sweeps) is trusted."""
    if actor is not None and not is_lead(actor):
        raise Forbidden(f"only a lead or admin may {what}; you are {actor.role.value}")


def may_edit(person: Person, item: ActionItem) -> bool:
    """`ensure_can_edit` as a question: whether to offer the person an item's controls."""
    try:
        ensure_can_edit(person, item)
    except Forbidden:
        return False
    return True


def ensure_can_edit(actor: Person | None, item: ActionItem) -> None:
    """The item's owner, a lead or an admin may change it; viewers and other owners may not.

    `actor=None` is the system itself (Jira/GitHub sync, Slack buttons resolved to no person).
    """
    if actor is None or is_lead(actor):
        return
    if actor.role is Role.owner and item.owner_id == actor.id:
        return
    if actor.role is Role.viewer:
        raise Forbidden("viewers read but never change action items")
    raise Forbidden(f"action item {item.id} belongs to someone else; "
                    "only its owner or a lead may change it")


def ensure_can_work_checklist(actor: Person | None, item: ActionItem) -> None:
    """Closing the loop is support and success staff's work, not only the item owner's: any
    owner-role person (support agents have that role), lead or admin may notify customers and
    record it. Viewers only read.
    """
    if actor is not None and actor.role is Role.viewer:
        raise Forbidden("viewers read but never change the closed-loop checklist")
