"""Action items: creation (with training record and seeded checklist), edits, work plans,
progress, waivers and the phase machine. Every mutation ends in `hooks.after_change`.

Who may do what:
- create, waive, cancel and reinstate: leads/admins only;
- the item's owner edits title/description, submits the work plan, posts progress, moves the
  phase forward, blocks/unblocks/reopens, and works training and the checklist;
- reassigning owner or team, moving the deadline and changing priority: leads/admins only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from tracker.actions import checklist, closed_loop, phases
from tracker.actions.access import ensure_can_edit, ensure_lead, get_item, is_lead
from tracker.actions.checklist import add_entry as add_checklist_entry
from tracker.actions.checklist import list_entries as list_checklist_entries
from tracker.actions.checklist import update_entry as update_checklist_entry
from tracker.actions.hooks import after_change
from tracker.actions.models import ActionItem, Phase, Priority, ProgressUpdate, TrainingRecord
from tracker.actions.training import training_for, update_training, validate_counts
from tracker.actions.validation import deadline_of, links, owner_of, priority_of, team_of, text_of
from tracker.activity.service import apply_changes
from tracker.api.versioning import check_version
from tracker.errors import Conflict, Forbidden, InvalidInput
from tracker.investigations.models import Investigation
from tracker.moments.models import MomentOfTruth
from tracker.people.models import Person
from tracker.types import utcnow

__all__ = [
    "add_checklist_entry", "list_checklist_entries", "update_checklist_entry",
    "add_progress_update", "change_phase", "create_action_item", "ensure_can_edit", "gate_state",
    "get_item", "item_detail", "submit_work_plan", "update_action_item", "update_training", "waive",
]

OWNER_FIELDS = frozenset({"title", "description"})
LEAD_FIELDS = frozenset({"owner_id", "team_id", "deadline", "priority"})
WAIVABLE = ("training", "checklist")


# --- create / edit ---------------------------------------------------------------------------

def create_action_item(
    session: Session, *, actor: Person | None, data: dict[str, Any]
) -> ActionItem:
    """A new item in `planned`, with its training record and the checklist seeded."""
    ensure_lead(actor, "create action items")
    title = text_of(data.get("title"), "title", max_len=200)
    description = text_of(data.get("description") or "", "description", required=False)
    team = team_of(session, data.get("team_id"))
    owner = owner_of(session, data.get("owner_id"))
    deadline = deadline_of(data.get("deadline"))
    priority = priority_of(data.get("priority", Priority.medium))
    moment_id, investigation_id = links(session, data.get("moment_id"),
                                        data.get("investigation_id"))
    target = data.get("training_target") or 0
    validate_counts({"target_count": target})
    audience = text_of(data.get("training_audience") or "", "training_audience", max_len=300,
                     required=False)

    item = ActionItem(
        title=title, description=description, team_id=team.id, owner_id=owner.id,
        deadline=deadline, priority=priority, phase=Phase.planned, moment_id=moment_id,
        investigation_id=investigation_id, assigned_at=utcnow(),
    )
    session.add(item)
    session.flush()
    session.add(TrainingRecord(action_item_id=item.id, needed=bool(data.get("training_needed")),
                               audience=audience, sessions_held=0, people_trained=0,
                               target_count=target, notes=""))
    seeded = closed_loop.sync_checklist(session, item).added
    after_change(session, item, actor=actor, action="created", changes={
        "title": title, "owner_id": owner.id, "team_id": team.id, "deadline": deadline,
        "priority": priority, "phase": Phase.planned, "moment_id": moment_id,
        "investigation_id": investigation_id, "training_needed": bool(data.get("training_needed")),
        "checklist_seeded": len(seeded),
    })
    return item


def update_action_item(
    session: Session, *, actor: Person | None, item_id: int, expected_version: int | None,
    data: dict[str, Any], actor_label: str | None = None,
) -> ActionItem:
    """Edit fields; the owner may change title/description, leads everything."""
    item = get_item(session, item_id)
    ensure_can_edit(actor, item)
    unknown = sorted(set(data) - OWNER_FIELDS - LEAD_FIELDS)
    if unknown:
        raise InvalidInput(f"{unknown[0]} cannot be changed here", field=unknown[0])
    refused = sorted(set(data) & LEAD_FIELDS)
    if refused and actor is not None and not is_lead(actor):
        raise Forbidden(f"only a lead may change {', '.join(refused)}", field=refused[0])
    if expected_version is not None:
        check_version(item, expected_version, "action item")
    updates: dict[str, Any] = {}
    if "title" in data:
        updates["title"] = text_of(data["title"], "title", max_len=200)
    if "description" in data:
        updates["description"] = text_of(data["description"], "description", required=False)
    if "owner_id" in data:
        updates["owner_id"] = owner_of(session, data["owner_id"]).id
    if "team_id" in data:
        updates["team_id"] = team_of(session, data["team_id"]).id
    if "deadline" in data:
        updates["deadline"] = deadline_of(data["deadline"])
    if "priority" in data:
        updates["priority"] = priority_of(data["priority"])
    if updates.get("owner_id", item.owner_id) != item.owner_id:
        updates["assigned_at"] = utcnow()  # nudges count from when the new owner got it
    changes = apply_changes(item, updates)
    if changes:
        session.flush()
        after_change(session, item, actor=actor, actor_label=actor_label, action="updated", changes=changes)
    return item


def submit_work_plan(
    session: Session, *, actor: Person | None, item_id: int, text: str,
    expected_version: int | None,
) -> ActionItem:
    """The owner's plan for resolving the issue; resubmitting replaces it."""
    item = get_item(session, item_id)
    ensure_can_edit(actor, item)
    if expected_version is not None:
        check_version(item, expected_version, "action item")
    plan = text_of(text, "text")
    changes = apply_changes(item, {"work_plan": plan, "work_plan_submitted_at": utcnow()})
    session.flush()
    after_change(session, item, actor=actor, action="work_plan_submitted", changes=changes)
    return item


def add_progress_update(session: Session, *, actor: Person | None, item_id: int, note: str,
                        actor_label: str | None = None) -> ProgressUpdate:
    """Append a progress note (from the API, or a Slack reply)."""
    item = get_item(session, item_id)
    ensure_can_edit(actor, item)
    update = ProgressUpdate(action_item_id=item.id, author_id=actor.id if actor else None,
                            note=text_of(note, "note"))
    session.add(update)
    session.flush()
    after_change(session, item, actor=actor, actor_label=actor_label, action="progress_posted",
                 entity_type="progress_update", entity_id=update.id, changes={"note": update.note})
    return update


# --- phases and waivers ----------------------------------------------------------------------

def gate_state(session: Session, item: ActionItem) -> phases.GateState:
    return phases.gate_of(item, training_for(session, item), checklist.pending_count(session, item.id))


def _done_refusal(session: Session, item: ActionItem, missing: list[str]) -> Conflict:
    parts = []
    if "training" in missing:
        t = training_for(session, item)
        parts.append(f"training is not complete ({t.people_trained} of {t.target_count} people "
                     f"trained in {t.sessions_held} sessions)")
    pending = checklist.pending_count(session, item.id)
    if "checklist" in missing:
        parts.append(f"{pending} closed-loop checklist entries are still pending")
    return Conflict(
        f"action item {item.id} cannot be done yet: {'; '.join(parts)}. Finish them or have a "
        "lead waive them", field="to", current=item.phase.value, missing=missing,
        pending_checklist=pending,
    )


def change_phase(
    session: Session, *, actor: Person | None, item_id: int, to: Phase | str,
    expected_version: int | None, reason: str | None = None, actor_label: str | None = None,
) -> ActionItem:
    """Move an item along the phase machine (see tracker/actions/phases.py)."""
    item = get_item(session, item_id)
    ensure_can_edit(actor, item)
    try:
        target = Phase(to)
    except ValueError as exc:
        raise InvalidInput(f"to must be one of {[p.value for p in Phase]}", field="to") from exc
    if target in phases.LEAD_ONLY_TARGETS or item.phase in phases.LEAD_ONLY_SOURCES:
        ensure_lead(actor, "cancel or reinstate an action item")
    if expected_version is not None:
        check_version(item, expected_version, "action item")
    if target is Phase.done or item.phase is Phase.cancelled:
        # Friction changes keep open checklists in step as they happen; checking once more
        # here means the done gate also counts customers recorded before that existed, and a
        # reinstated item (skipped while cancelled) catches up.
        closed_loop.resync(session, item, actor=actor, actor_label=actor_label,
                           reason=f"checked against its friction points on moving to {target.value}")
    gate = gate_state(session, item)
    allowed = phases.allowed_next(item, gate)
    if target not in allowed:
        hint = ""
        if item.phase is Phase.implementing and target is Phase.closing_loop:
            hint = " (training is needed: move to training, or have a lead waive it)"
        names = [p.value for p in allowed]
        raise Conflict(
            f"action item {item.id} is {item.phase.value} and cannot move to {target.value}{hint}; "
            f"allowed=[{', '.join(names)}]",
            field="to", current=item.phase.value, requested=target.value, allowed=names,
        )
    why = reason.strip() if isinstance(reason, str) and reason.strip() else None
    if target in phases.NEEDS_REASON and why is None:
        raise InvalidInput(f"a reason is required to move to {target.value}", field="reason")
    if target is Phase.done:
        missing = phases.done_blockers(gate)
        if missing:
            raise _done_refusal(session, item, missing)

    updates: dict[str, Any] = {"phase": target}
    if target is Phase.blocked:
        updates |= {"phase_before_block": item.phase, "blocked_reason": why}
    elif item.phase is Phase.blocked or target is Phase.cancelled:
        updates |= {"phase_before_block": None, "blocked_reason": None}
    if target is Phase.done:
        updates["completed_at"] = utcnow()
    elif item.phase is Phase.done:
        updates["completed_at"] = None  # reopened
    changes: dict[str, Any] = apply_changes(item, updates)
    if why is not None:
        changes["reason"] = why
    session.flush()
    after_change(session, item, actor=actor, actor_label=actor_label, action="phase_changed",
                 changes=changes)
    return item


def waive(
    session: Session, *, actor: Person | None, item_id: int, what: str, reason: str,
    expected_version: int | None,
) -> ActionItem:
    """Let an item be done without training or without finishing the checklist (leads only)."""
    item = get_item(session, item_id)
    ensure_lead(actor, "waive training or the checklist")
    if what not in WAIVABLE:
        raise InvalidInput(f"what must be one of {list(WAIVABLE)}", field="what")
    why = text_of(reason, "reason")
    if expected_version is not None:
        check_version(item, expected_version, "action item")
    changes = apply_changes(item, {f"{what}_waived_reason": why})
    if changes:
        session.flush()
        after_change(session, item, actor=actor, action="waived", changes=changes)
    return item


# --- read model for GET /action-items/{id} ---------------------------------------------------

@dataclass(frozen=True)
class ItemDetail:
    item: ActionItem
    training: TrainingRecord
    gate: phases.GateState
    allowed_next: list[Phase]
    checklist_counts: dict[str, int]
    moment: MomentOfTruth | None
    investigation: Investigation | None


def item_detail(session: Session, item_id: int) -> ItemDetail:
    item = get_item(session, item_id)
    gate = gate_state(session, item)
    return ItemDetail(
        item=item, training=training_for(session, item), gate=gate,
        allowed_next=phases.allowed_next(item, gate),
        checklist_counts=checklist.checklist_counts(session, item.id),
        moment=session.get(MomentOfTruth, item.moment_id) if item.moment_id else None,
        investigation=(session.get(Investigation, item.investigation_id)
                       if item.investigation_id else None),
    )
