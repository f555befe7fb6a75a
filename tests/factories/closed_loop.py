"""A small closed-loop queue: shipped fixes with customers still to tell, one person owed two."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from tests import factories
from tests.factories.programme import build_world
from tracker.actions.models import (
    ActionItem,
    ChecklistEntry,
    ContactChannel,
    NotificationStatus,
    Phase,
    Priority,
    TrainingRecord,
)
from tracker.people.models import Role


def item(session: Session, world: dict[str, Any], title: str, phase: Phase, *, days: int = 5,
         **fields: Any) -> ActionItem:
    row = ActionItem(title=title, team_id=world["team"].id, owner_id=world["owner"].id,
                     deadline=date.today() + timedelta(days=days), priority=Priority.medium, phase=phase,
                     **fields)
    session.add(row)
    session.flush()
    session.add(TrainingRecord(action_item_id=row.id, needed=False))
    session.flush()
    return row


def entry(session: Session, item: ActionItem, name: str, contact: str, *,
          status: NotificationStatus = NotificationStatus.pending, message: str = "") -> ChecklistEntry:
    row = ChecklistEntry(action_item_id=item.id, customer_name=name, contact=contact,
                         channel=ContactChannel.email if "@" in contact else ContactChannel.phone,
                         status=status, message=message)
    session.add(row)
    session.flush()
    return row


def build_queue(session: Session) -> dict[str, Any]:
    """build_world (its item is planned, so its customer waits) plus:

    - "seats" (closing_loop): Ben, Amara; "vat" (closing_loop): Ben again (another spelling of
      his address), Hannah (already notified); "late" (done): Lars turned up after it was done;
    - "early" (implementing): Priya (only with an earlier-phase filter);
    - "dropped" (cancelled) and "waived" (closing_loop, checklist waived): never in the queue.
    """
    w = build_world(session)
    w["support"] = factories.person(session, Role.owner, name="Sam Support")
    w["viewer"] = factories.person(session, Role.viewer)
    seats = item(session, w, "Stop billing deactivated users", Phase.closing_loop, days=2)
    vat = item(session, w, "Print the VAT ID on invoices", Phase.closing_loop, days=4)
    late = item(session, w, "Explain corrected invoices", Phase.done, days=-3)
    early = item(session, w, "Index article bodies", Phase.implementing)
    dropped = item(session, w, "Dropped idea", Phase.cancelled)
    waived = item(session, w, "Waived fix", Phase.closing_loop, checklist_waived_reason="told in the newsletter")
    w.update(seats=seats, vat=vat, late=late, early=early, dropped=dropped, waived=waived)
    w["ben_seats"] = entry(session, seats, "Ben Carter", "ben@carter.example")
    w["amara"] = entry(session, seats, "Amara Eze", "amara@brightpath.example")
    w["ben_vat"] = entry(session, vat, "Ben Carter", " Ben@Carter.example")
    w["hannah"] = entry(session, vat, "Hannah Schmidt", "hannah@kreativ.example", status=NotificationStatus.notified)
    w["lars"] = entry(session, late, "Lars Johansson", "+46 8 555 0101")
    w["priya"] = entry(session, early, "Priya Raman", "priya@harbor.example")
    w["nobody"] = entry(session, dropped, "Never Told", "never@example.com")
    w["skipped"] = entry(session, waived, "Skipped Person", "skipped@example.com")
    session.commit()
    return w
