"""The nudge schedule of an example item under a policy: the team page's preview.

Computed with tracker.nudges.policy's own functions, driven the way the sweep drives them:
`decide` at a moment, the decision recorded with `Facts.with_sent`, then `next_check` for the
next moment worth looking at. There is no second copy of the rules here, so the preview cannot
drift from what the worker sends.

The example item is assigned at the start of today (the team's timezone) and left alone: no
work plan, no snooze, never done. It is followed until its escalation and the reminder after it
(overdue reminders then go on at the same cadence). Its owner works in the team's timezone;
escalations follow the lead's timezone (the team's when it has no lead), as for real items.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from tracker.actions.models import Phase
from tracker.nudges.models import NudgeKind
from tracker.nudges.policy import Facts, Rules, decide, next_check, zone

# A bound on the loop, never reached by a valid policy: the longest one (escalation after 90
# days, a reminder every day) records about a hundred nudges.
MAX_STEPS = 500
# Overdue reminders listed before the escalation; a longer run is said as one "… more" row.
OVERDUE_SHOWN = 3


@dataclass(frozen=True)
class PlannedNudge:
    at: datetime  # UTC
    local: datetime  # in the recipient's timezone
    kind: NudgeKind
    to_lead: bool
    reason: str


@dataclass(frozen=True)
class Skipped:
    """Overdue reminders left out of the list (the cadence is the same throughout)."""

    count: int
    every_days: int


@dataclass(frozen=True)
class Schedule:
    rules: Rules
    deadline: date
    assigned: date
    owner_tz: str
    lead_tz: str
    nudges: tuple[PlannedNudge, ...]

    def rows(self) -> list[PlannedNudge | Skipped]:
        """The nudges to list: a long run of overdue reminders is shortened to its first ones."""
        shown: list[PlannedNudge | Skipped] = []
        run: list[PlannedNudge] = []

        def flush() -> None:
            if len(run) > OVERDUE_SHOWN + 1:
                shown.extend(run[:OVERDUE_SHOWN])
                shown.append(Skipped(len(run) - OVERDUE_SHOWN - 1, self.rules.overdue_every_days))
                shown.append(run[-1])
            else:
                shown.extend(run)
            run.clear()

        for nudge in self.nudges:
            if nudge.kind is NudgeKind.overdue:
                run.append(nudge)
                continue
            flush()
            shown.append(nudge)
        flush()
        return shown


def example_facts(rules: Rules, *, deadline: date, today: date, owner_tz: str, lead_tz: str) -> Facts:
    assigned = datetime.combine(today, time(0), tzinfo=zone(owner_tz)).astimezone(UTC)
    return Facts(item_id=0, phase=Phase.planned, deadline=deadline, assigned_at=assigned,
                 work_plan_submitted=False, owner_tz=owner_tz, lead_tz=lead_tz, rules=rules)


def _escalated_before_last(found: list[PlannedNudge]) -> bool:
    return any(n.kind is NudgeKind.escalation for n in found[:-1])


def schedule(rules: Rules, *, deadline: date, today: date, owner_tz: str, lead_tz: str) -> Schedule:
    """What the example item's owner and lead would receive under `rules`, in order."""
    facts = example_facts(rules, deadline=deadline, today=today, owner_tz=owner_tz, lead_tz=lead_tz)
    now = facts.assigned_at
    decision = decide(facts, now)
    found: list[PlannedNudge] = []
    for _ in range(MAX_STEPS):
        if decision is not None:
            facts = facts.with_sent(decision.kind, decision.slot, now)
            tz = zone(lead_tz if decision.to_lead else owner_tz)
            found.append(PlannedNudge(at=now, local=now.astimezone(tz), kind=decision.kind,
                                      to_lead=decision.to_lead, reason=decision.reason))
            if _escalated_before_last(found):
                break
        following = next_check(facts, now)
        if following is None:
            break
        now, decision = following, decide(facts, following)
    return Schedule(rules=rules, deadline=deadline, assigned=today, owner_tz=owner_tz, lead_tz=lead_tz,
                    nudges=tuple(found))
