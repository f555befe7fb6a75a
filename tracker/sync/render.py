"""What a ticket says: enough context for a stranger in the owning team, and a way back."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.actions.models import ActionItem
from tracker.friction.models import FrictionPoint
from tracker.investigations.models import Investigation
from tracker.moments.models import MomentOfTruth
from tracker.people.models import Person
from tracker.sync.models import TargetKind
from tracker.sync.ports import TicketFields


def vendor_identity(person: Person | None, kind: TargetKind) -> str | None:
    if person is None:
        return None
    return person.jira_account_id if kind is TargetKind.jira else person.github_login


def ticket_body(session: Session, item: ActionItem, base_url: str) -> str:
    moment = session.get(MomentOfTruth, item.moment_id) if item.moment_id else None
    investigation = session.get(Investigation, item.investigation_id) if item.investigation_id else None
    frictions = []
    if moment is not None:
        frictions = list(session.scalars(
            select(FrictionPoint.title).where(FrictionPoint.moment_id == moment.id).order_by(FrictionPoint.id)
        ))
    lines = [item.description.strip() or item.title, ""]
    if moment is not None:
        lines += ["## Why this matters", f"Moment of truth: **{moment.title}**"]
        if moment.description:
            lines.append(moment.description.strip())
        if frictions:
            lines += ["", "Customer friction it causes:"] + [f"- {title}" for title in frictions]
        lines.append("")
    if investigation is not None and investigation.root_cause:
        area = f" ({investigation.root_cause_category.value}: {investigation.root_cause_area})" \
            if investigation.root_cause_category and investigation.root_cause_area else ""
        lines += ["## Root cause", investigation.root_cause.strip() + area, ""]
    lines += ["## Work plan", item.work_plan.strip() if item.work_plan else "_Not submitted yet._", ""]
    lines += [f"**Deadline:** {item.deadline.isoformat()}  ", f"**Priority:** {item.priority.value}", ""]
    lines.append(f"Tracked in the CX tracker: {base_url.rstrip('/')}/action-items/{item.id}")
    return "\n".join(lines)


def ticket_fields(session: Session, item: ActionItem, kind: TargetKind, base_url: str) -> TicketFields:
    owner = session.get(Person, item.owner_id)
    return TicketFields(
        title=item.title,
        body=ticket_body(session, item, base_url),
        phase=item.phase,
        assignee=vendor_identity(owner, kind),
        due=item.deadline,
        priority=item.priority,
    )


def local_values(session: Session, item: ActionItem, kind: TargetKind) -> dict[str, Any]:
    """The item's synced fields now, shaped like a snapshot (without rendering the body)."""
    owner = session.get(Person, item.owner_id)
    return {
        "title": item.title,
        "phase": item.phase.value,
        "assignee": vendor_identity(owner, kind),
        "due": item.deadline.isoformat(),
        "priority": item.priority.value,
    }


def as_snapshot(fields: TicketFields) -> dict[str, Any]:
    """The synced fields in the same shape as RemoteTicket.synced(), for comparison."""
    return {
        "title": fields.title,
        "phase": fields.phase.value,
        "assignee": fields.assignee,
        "due": fields.due.isoformat() if fields.due else None,
        "priority": fields.priority.value,
    }
