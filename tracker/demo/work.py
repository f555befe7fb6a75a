"""The demo's investigations and action items, with work plans, updates, training and checklists."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from tracker.actions.models import (
    ActionItem,
    ChecklistEntry,
    ContactChannel,
    NotificationStatus,
    Phase,
    Priority,
    ProgressUpdate,
    TrainingRecord,
)
from tracker.investigations.models import Investigation, InvestigationStatus, RootCauseCategory

if TYPE_CHECKING:
    from tracker.demo.loader import DemoBuilder

# Why a closed-loop entry ended where it did: the text support staff would have written.
_CHECKLIST_NOTES = {
    NotificationStatus.acknowledged: "Replied to thank us; the next invoice looked right.",
    NotificationStatus.notified: "Email sent with the credit note attached.",
    NotificationStatus.pending: "",
    NotificationStatus.unreachable: "Email bounced and the phone number is disconnected; "
                                    "asked the account manager for a new contact.",
}


def load_investigations(b: DemoBuilder, rows: list[dict[str, Any]]) -> dict[str, Investigation]:
    created: dict[str, Investigation] = {}
    lead = b.people["lead"]
    for n, data in enumerate(rows):
        at = b.ago(45 - 2 * n)
        friction = b.friction[data["friction"]] if data["friction"] else None
        inv = Investigation(
            moment_id=b.moments[data["moment"]].id,
            friction_point_id=friction.id if friction else None,
            title=data["title"], owner_id=b.people[data["owner"]].id,
            due_date=b.today + timedelta(days=data["due"]), hypotheses=data["hypotheses"],
            findings=data["findings"], root_cause=data["root_cause"],
            root_cause_category=RootCauseCategory(data["category"]) if data["category"] else None,
            root_cause_area=data["area"], status=InvestigationStatus(data["status"]), created_at=at)
        b.session.add(inv)
        b.session.flush()
        created[data["key"]] = inv
        b.log(lead, "investigation", inv.id, at, moment_id=inv.moment_id,
              changes={"title": inv.title, "owner_id": inv.owner_id})
    return created


def _item(b: DemoBuilder, data: dict[str, Any], inv: Investigation | None) -> ActionItem:
    assigned = b.ago(data["assigned_days_ago"])
    phase = Phase(data["phase"])
    item = ActionItem(
        moment_id=b.moments[data["moment"]].id, investigation_id=inv.id if inv else None,
        title=data["title"], description=data.get("description", ""),
        team_id=b.teams[data["team"]].id, owner_id=b.people[data["owner"]].id,
        deadline=b.today + timedelta(days=data["deadline"]), priority=Priority(data["priority"]),
        phase=phase, assigned_at=assigned, created_at=assigned, updated_at=assigned,
        work_plan=data["work_plan"],
        # Owners come back with a plan a few days after they are assigned.
        work_plan_submitted_at=(assigned + timedelta(days=2)) if data["work_plan"] else None,
        training_waived_reason=data.get("training_waived"),
        completed_at=b.ago(data["completed_days_ago"]) if phase is Phase.done else None)
    if phase is Phase.blocked:
        item.phase_before_block = Phase(data["phase_before_block"])
        item.blocked_reason = data["blocked_reason"]
    return item


def _extras(b: DemoBuilder, item: ActionItem, data: dict[str, Any]) -> None:
    for author, days_ago, note in data["updates"]:
        update = ProgressUpdate(action_item_id=item.id, author_id=b.people[author].id, note=note,
                                created_at=b.ago(days_ago))
        b.session.add(update)
        b.session.flush()
        b.log(b.people[author], "progress_update", update.id, update.created_at,
              action_item_id=item.id, changes={"note": note})
    # Every item has a training record, as create_action_item makes one (reads never create it).
    training = data.get("training")
    b.session.add(TrainingRecord(action_item_id=item.id, needed=bool(training), **(training or {})))
    checklist = data.get("checklist")
    if checklist:
        customers = b.friction[checklist["friction"]].affected_customers
        worker = b.people["support2"]
        # Customers are told before their item can be done (the done gate waits for them).
        told = data.get("completed_days_ago", 2) + 1
        for n, (customer, status) in enumerate(zip(customers, checklist["statuses"], strict=True)):
            state = NotificationStatus(status)
            # Any attempt (even an unreachable one) is stamped with who and when, as the
            # checklist service does.
            attempted = state is not NotificationStatus.pending
            entry = ChecklistEntry(
                action_item_id=item.id, affected_customer_id=customer.id,
                customer_name=customer.name, contact=customer.contact,
                channel=ContactChannel.email if "@" in customer.contact else ContactChannel.phone,
                message=f"Good news about '{item.title}': the fix is live for your account.",
                status=state, notified_at=b.ago(told - n * 0.3) if attempted else None,
                notified_by_id=worker.id if attempted else None,
                note=_CHECKLIST_NOTES[state])
            b.session.add(entry)
            b.session.flush()
            b.log(worker, "checklist_entry", entry.id, b.ago(told), action_item_id=item.id,
                  changes={"customer_name": entry.customer_name, "status": state})


def load_work(b: DemoBuilder, investigations: list[dict[str, Any]],
              actions: list[dict[str, Any]]) -> None:
    invs = load_investigations(b, investigations)
    lead = b.people["lead"]
    for data in actions:
        item = _item(b, data, invs[data["investigation"]] if data["investigation"] else None)
        b.session.add(item)
        b.session.flush()
        b.log(lead, "action_item", item.id, item.created_at, action_item_id=item.id,
              moment_id=item.moment_id,
              changes={"title": item.title, "owner_id": item.owner_id,
                       "deadline": item.deadline, "phase": Phase.planned})
        if item.phase is not Phase.planned:
            # One entry for the journey so far, so the item's history explains its phase.
            changes: dict[str, Any] = {
                "phase": {"from": Phase.planned.value, "to": item.phase.value}}
            reason = item.blocked_reason or data.get("cancel_reason")
            if reason:  # blocking and cancelling always say why
                changes["reason"] = reason
            # A done item got there when it was completed, so a digest of that week lists it
            # both as moved and as completed.
            when = item.completed_at or b.ago(1)
            b.log(lead, "action_item", item.id, when, action="phase_changed",
                  action_item_id=item.id, moment_id=item.moment_id, changes=changes)
        _extras(b, item, data)
