"""`/tracker mine | overdue | help`: answered in the request (well inside Slack's 3 s).

Each list is one indexed query with a LIMIT (owner_id, phase, deadline) or (phase, deadline)
plus a COUNT on the same index, so the answer costs the same with 100 or 1M items stored.

`overdue` scope (decided here): an owner sees their own overdue items and, if they lead a team,
that team's; leads and admins see the whole programme's (they chase it). Viewers see their own
(usually none): the command is for people who act.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from tracker.actions.access import is_lead
from tracker.actions.models import OPEN_PHASES, ActionItem
from tracker.messaging.ports import NudgeMessage
from tracker.people.models import Person, Team

LIMIT = 20
HELP = ("*/tracker mine*: your open action items, soonest deadline first\n"
        "*/tracker overdue*: overdue items (yours; your team's if you lead one; everyone's for leads)\n"
        "*/tracker help*: this text")


def _overdue_scope(session: Session, person: Person, today: date) -> tuple[Select[Any], str]:
    base = select(ActionItem).where(ActionItem.phase.in_(OPEN_PHASES), ActionItem.deadline < today)
    if is_lead(person):
        return base, "Overdue across the programme"
    teams = list(session.scalars(select(Team.id).where(Team.lead_id == person.id)))
    if teams:
        return (base.where(or_(ActionItem.owner_id == person.id, ActionItem.team_id.in_(teams))),
                "Overdue in your team(s) and yours")
    return base.where(ActionItem.owner_id == person.id), "Your overdue items"


def listing(session: Session, *, person: Person, action: str, base_url: str,
            today: date) -> tuple[str, list[NudgeMessage]]:
    """(headline, items) for `mine` or `overdue`; `help` gives the help text and no items."""
    stmt: Select[Any]
    if action == "mine":
        stmt = select(ActionItem).where(ActionItem.owner_id == person.id,
                                        ActionItem.phase.in_(OPEN_PHASES))
        title = "Your open action items"
    elif action == "overdue":
        stmt, title = _overdue_scope(session, person, today)
    else:
        return HELP, []
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(session.scalars(stmt.order_by(ActionItem.deadline, ActionItem.id).limit(LIMIT)))
    owners = {p.id: p.name for p in session.scalars(
        select(Person).where(Person.id.in_({r.owner_id for r in rows})))} if rows else {}
    if not total:
        return f"{title}: none. :tada:" if action == "overdue" else f"{title}: none.", []
    shown = f" (the {LIMIT} most urgent shown)" if total > LIMIT else ""
    base = base_url.rstrip("/")
    items = [NudgeMessage(
        kind="list", action_item_id=r.id, title=r.title, deadline=r.deadline, phase=r.phase.value,
        next_phase=None, moment_title=None, owner_name=owners.get(r.owner_id, "?"),
        days_to_deadline=(r.deadline - today).days, item_url=f"{base}/action-items/{r.id}",
        ticket_url=None, can_snooze=False) for r in rows]
    return f"{title}: {total}{shown}", items
