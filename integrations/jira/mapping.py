"""How the tracker's action items map onto Jira issue fields, and how a target overrides it.

Default mapping (tracker -> Jira):

    phase     planned -> "To Do"           implementing, training, closing_loop -> "In Progress"
              done -> "Done"               blocked -> "To Do"          cancelled -> "Done"
    status    "To Do" -> planned           "In Progress", "In Review" -> implementing
    (back)    "Done" -> done               any other status -> no phase (None)
    priority  low -> "Low"   medium -> "Medium"   high -> "High"   urgent -> "Highest"
              (back: the reverse; "Lowest" or any other name -> no priority)
    title -> summary, body -> description (on create only), deadline -> duedate (YYYY-MM-DD),
    assignee -> {"accountId": ...} (None unassigns)

Every ticket the tracker creates carries the label `tracker` (how reconciliation finds ours) and
its marker label (how a create whose outcome is unknown is found again).

A target overrides any of this through `TargetSpec.mapping`; dictionaries are merged over the
defaults, key by key (status names compare case-insensitively):

    {
        "status_for_phase": {"training": "In Review", "done": "Closed"},
        "phase_for_status": {"Closed": "done", "Blocked": "blocked"},
        "priority_for": {"urgent": "Blocker"},       # the reverse follows unless given:
        "priority_from": {"Lowest": "low"},
        "initial_status": "Backlog",                 # where the project's workflow starts new issues
        "transition_fields": {"Done": {"resolution": {"name": "Done"}}},  # fill transition screens
        "notify_watchers": false,                    # edits with notifyUsers=false (needs admin)
        "jql_time_zone": "Europe/Paris",             # the bot's profile zone; else asked once
    }

Transitions are chosen by their target status (`to.name`), never by transition name; with no
direct transition the adapter walks the workflow step by step (integrations/jira/transitions.py).
`transition_fields` values, keyed by a transition's target status, are sent only when that
transition's screen shows the field (on every step of a walk, not just the last).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tracker.actions.models import Phase, Priority

TRACKER_LABEL = "tracker"

DEFAULT_STATUS_FOR_PHASE: dict[Phase, str] = {
    Phase.planned: "To Do",
    Phase.implementing: "In Progress",
    Phase.training: "In Progress",
    Phase.closing_loop: "In Progress",
    Phase.done: "Done",
    Phase.blocked: "To Do",
    Phase.cancelled: "Done",
}
DEFAULT_PHASE_FOR_STATUS: dict[str, Phase] = {
    "To Do": Phase.planned,
    "In Progress": Phase.implementing,
    "In Review": Phase.implementing,
    "Done": Phase.done,
}
DEFAULT_PRIORITY_FOR: dict[Priority, str] = {
    Priority.low: "Low",
    Priority.medium: "Medium",
    Priority.high: "High",
    Priority.urgent: "Highest",
}


OVERRIDE_KEYS = frozenset({"status_for_phase", "phase_for_status", "priority_for", "priority_from",
                           "initial_status", "transition_fields", "notify_watchers", "jql_time_zone"})


@dataclass(frozen=True)
class JiraMapping:
    status_for_phase: dict[Phase, str]
    phase_for_status: dict[str, Phase]  # keys lower-cased
    priority_for: dict[Priority, str]
    priority_from: dict[str, Priority]  # keys lower-cased
    initial_status: str = "To Do"
    transition_fields: dict[str, dict[str, Any]] = field(default_factory=dict)  # keys lower-cased
    notify_watchers: bool = True
    jql_time_zone: str | None = None

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, Any] | None = None) -> JiraMapping:
        """Defaults merged with a target's `mapping`; unknown keys, phases or priorities raise
        ValueError naming them."""
        given = dict(overrides or {})
        unknown = sorted(set(given) - OVERRIDE_KEYS)
        if unknown:
            raise ValueError(f"unknown Jira mapping key {unknown[0]!r} (known: {', '.join(sorted(OVERRIDE_KEYS))})")
        status_for = dict(DEFAULT_STATUS_FOR_PHASE)
        status_for.update({Phase(k): str(v) for k, v in (given.get("status_for_phase") or {}).items()})
        phase_for = {k.lower(): v for k, v in DEFAULT_PHASE_FOR_STATUS.items()}
        phase_for.update({str(k).lower(): Phase(v) for k, v in (given.get("phase_for_status") or {}).items()})
        priority_for = dict(DEFAULT_PRIORITY_FOR)
        priority_for.update({Priority(k): str(v) for k, v in (given.get("priority_for") or {}).items()})
        priority_from = {name.lower(): priority for priority, name in priority_for.items()}
        priority_from.update({str(k).lower(): Priority(v) for k, v in (given.get("priority_from") or {}).items()})
        transition_fields = {str(k).lower(): dict(v) for k, v in (given.get("transition_fields") or {}).items()}
        return cls(
            status_for_phase=status_for,
            phase_for_status=phase_for,
            priority_for=priority_for,
            priority_from=priority_from,
            initial_status=str(given.get("initial_status") or "To Do"),
            transition_fields=transition_fields,
            notify_watchers=bool(given.get("notify_watchers", True)),
            jql_time_zone=given.get("jql_time_zone"),
        )

    def status_for(self, phase: Phase) -> str:
        return self.status_for_phase[phase]

    def phase_for(self, status: str | None) -> Phase | None:
        return self.phase_for_status.get(status.lower()) if status else None

    def priority_name(self, priority: Priority) -> str:
        return self.priority_for[priority]

    def priority_of(self, name: str | None) -> Priority | None:
        return self.priority_from.get(name.lower()) if name else None

    def fields_for_transition(self, status: str, screen: Mapping[str, Any]) -> dict[str, Any]:
        """Configured screen values for moving to `status`, limited to what the screen shows
        (Jira refuses a field that is not on the transition's screen)."""
        configured = self.transition_fields.get(status.lower(), {})
        return {k: v for k, v in configured.items() if k in screen}


def same_status(a: str | None, b: str | None) -> bool:
    return (a or "").lower() == (b or "").lower()
