"""The phase machine of an action item, as pure functions (no session, no I/O).

    planned -> implementing -> training -> closing_loop -> done
                            \\-> closing_loop (training not needed, or waived)
    any open phase -> blocked (reason) ; blocked -> the phase it was blocked from
    any open phase -> cancelled (reason) ; cancelled -> planned (reinstate)
    done -> implementing (reopen, e.g. the ticket was reopened)

Reaching done is gated: training must be complete (or waived) and no checklist entry may be
pending (or the checklist waived). See `done_blockers`.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.actions.models import OPEN_PHASES, ActionItem, Phase, TrainingRecord

# Transitions that need a reason (stored in the activity log; blocked also on the item).
NEEDS_REASON = frozenset({Phase.blocked, Phase.cancelled})
# Planning decisions, not progress: only leads/admins take them.
LEAD_ONLY_TARGETS = frozenset({Phase.cancelled})
LEAD_ONLY_SOURCES = frozenset({Phase.cancelled})  # reinstating a cancelled item

_FORWARD: dict[Phase, tuple[Phase, ...]] = {
    Phase.planned: (Phase.implementing,),
    Phase.implementing: (Phase.training, Phase.closing_loop),
    Phase.training: (Phase.closing_loop,),
    Phase.closing_loop: (Phase.done,),
    Phase.done: (Phase.implementing,),
    Phase.cancelled: (Phase.planned,),
    Phase.blocked: (),
}


@dataclass(frozen=True)
class GateState:
    """What the done-gate and the implementing->closing_loop shortcut need to know."""

    training_needed: bool
    training_waived: bool
    training_complete: bool
    pending_checklist: int
    checklist_waived: bool


def training_complete(record: TrainingRecord | None) -> bool:
    if record is None or not record.needed:
        return True
    return record.sessions_held > 0 and record.people_trained >= record.target_count


def gate_of(item: ActionItem, training: TrainingRecord | None, pending_checklist: int) -> GateState:
    """The item's gate from its training record and its count of customers still to tell."""
    return GateState(
        training_needed=bool(training and training.needed),
        training_waived=item.training_waived_reason is not None,
        training_complete=training_complete(training),
        pending_checklist=pending_checklist,
        checklist_waived=item.checklist_waived_reason is not None)


def allowed_next(item: ActionItem, gate: GateState) -> list[Phase]:
    """Every phase `item` may move to now, in a stable order."""
    current = item.phase
    if current is Phase.blocked:
        targets = [item.phase_before_block or Phase.planned]
    else:
        targets = list(_FORWARD[current])
    if (
        current is Phase.implementing
        and gate.training_needed
        and not gate.training_waived
    ):
        targets.remove(Phase.closing_loop)
    if current in OPEN_PHASES:
        if current is not Phase.blocked:
            targets.append(Phase.blocked)
        targets.append(Phase.cancelled)
    return targets


def done_blockers(gate: GateState) -> list[str]:
    """Why the item may not be done yet; empty when it may."""
    missing: list[str] = []
    if gate.training_needed and not gate.training_waived and not gate.training_complete:
        missing.append("training")
    if gate.pending_checklist and not gate.checklist_waived:
        missing.append("checklist")
    return missing
