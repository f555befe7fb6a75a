"""How the tracker's fields map onto a GitHub issue (defaults, and the overrides a target may set).

Default mapping (a target's `mapping` dict overrides the keys named in brackets):

| Tracker          | GitHub issue                                                          |
|------------------|-----------------------------------------------------------------------|
| title            | title                                                                 |
| body             | body, plus a last line `<!-- tracker:marker=<marker> -->` (hidden in |
|                  | GitHub's rendering; how a lost create is found again). Not re-synced. |
| (every issue)    | label `tracker` [tracker_label]: listings filter on it                |
| phase planned, implementing, training, closing_loop, blocked                             |
|                  | state `open` + exactly one label `phase: <phase>` [phase_labels];     |
|                  | any other `phase: ...` label is removed                               |
| phase done       | state `closed`, state_reason `completed`, no phase label              |
| phase cancelled  | state `closed`, state_reason `not_planned`, no phase label            |
| priority         | label `priority: <low/medium/high/urgent>` [priority_labels]          |
| assignee         | the single assignee (a GitHub login); unassigned = no assignee        |
| due              | milestone titled `Due YYYY-MM-DD` [milestone_title, a format string   |
|                  | with `{date}`] whose due_on is that date. Created on first use; the   |
|                  | repository's milestones are listed once per adapter and cached, so a  |
|                  | due date costs one list per adapter plus one create per new date.     |

Back from GitHub:
- closed + `completed` (or no reason, as on old issues) -> done; closed + `not_planned` or
  `duplicate` -> cancelled.
- open + exactly one known phase label -> that phase; open with no phase label, an unknown
  one or several -> phase None ("no opinion": e.g. a person reopened a done issue). The
  status string is `open` or `closed:<state_reason>`.
- priority: exactly one known priority label -> it, else None.
- due: the date of the milestone's `due_on`, else a date parsed from a title shaped like ours,
  else None (no milestone -> None). GitHub keeps `due_on` at midnight US-Pacific, floors any
  instant it is sent to that, and answers `D T07:00:00Z` (PDT) or `D T08:00:00Z` (PST): so we
  send noon UTC, which is on day D in Los Angeles all year, and read the nearest Pacific
  midnight, which also reads a UTC-midnight `D T00:00:00Z` (other servers, old data) as D.
- assignee: the first assignee's login (GitHub allows several; we only ever set one).

Labels that are "ours" (replaced when phase/priority change): the tracker label, every
configured phase/priority label, and anything starting with `phase:` or `priority:`. All
other labels people put on an issue are kept.

Overrides, e.g. `{"phase_labels": {"blocked": "status: blocked"}, "priority_labels":
{"urgent": "P0"}, "tracker_label": "cx-tracker", "milestone_title": "CX due {date}"}`;
unknown keys or values are a configuration error (ValueError), not silently ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tracker.actions.models import CLOSED_PHASES, OPEN_PHASES, Phase, Priority

MARKER_LINE = "<!-- tracker:marker={marker} -->"
OVERRIDE_KEYS = frozenset({"tracker_label", "phase_labels", "priority_labels", "milestone_title"})
CLOSED_REASONS = {Phase.done: "completed", Phase.cancelled: "not_planned"}
_OUR_PREFIXES = ("phase:", "priority:")
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")
GITHUB_ZONE = ZoneInfo("America/Los_Angeles")  # where GitHub's milestone days begin and end


@dataclass(frozen=True)
class IssueState:
    state: str  # "open" | "closed"
    state_reason: str | None  # only for closed
    phase_label: str | None  # only for open phases


@dataclass(frozen=True)
class GitHubMapping:
    tracker_label: str
    phase_labels: Mapping[Phase, str]  # open phases only
    priority_labels: Mapping[Priority, str]
    milestone_title_format: str

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, Any] | None = None) -> GitHubMapping:
        overrides = dict(overrides or {})
        unknown = sorted(set(overrides) - OVERRIDE_KEYS)
        if unknown:
            raise ValueError(f"unknown GitHub mapping key {unknown[0]!r} (known: {', '.join(sorted(OVERRIDE_KEYS))})")
        phases = {p: f"phase: {p.value}" for p in OPEN_PHASES}
        for name, label in dict(overrides.get("phase_labels") or {}).items():
            phase = Phase(name)
            if phase in CLOSED_PHASES:
                raise ValueError(f"{phase.value} maps to a closed issue, not to a label")
            phases[phase] = _label(label)
        priorities = {p: f"priority: {p.value}" for p in Priority}
        for name, label in dict(overrides.get("priority_labels") or {}).items():
            priorities[Priority(name)] = _label(label)
        title = str(overrides.get("milestone_title") or "Due {date}")
        if "{date}" not in title:
            raise ValueError("milestone_title must contain {date}")
        for labels in (phases, priorities):
            if len({v.lower() for v in labels.values()}) != len(labels):
                raise ValueError("two values map to the same GitHub label")
        tracker = _label(overrides.get("tracker_label") or "tracker")
        return cls(tracker, phases, priorities, title)

    # -- to GitHub -----------------------------------------------------------------------------
    def issue_state(self, phase: Phase) -> IssueState:
        if phase in CLOSED_REASONS:
            return IssueState("closed", CLOSED_REASONS[phase], None)
        return IssueState("open", None, self.phase_labels[phase])

    def labels(
        self, current: Iterable[str], *, phase: Phase | None, priority: Priority | None,
        keep_phase: bool = False, keep_priority: bool = False,
    ) -> list[str]:
        """`current` labels with ours recomputed; people's labels keep their order, ours follow.

        keep_phase/keep_priority leave the existing phase/priority labels alone (the caller is
        not changing that field)."""
        kept, phase_now, priority_now = [], [], []
        for name in current:
            if self._is_phase_label(name):
                phase_now.append(name)
            elif self._is_priority_label(name):
                priority_now.append(name)
            elif name.lower() != self.tracker_label.lower():
                kept.append(name)
        result = [*kept, self.tracker_label]
        if keep_phase:
            result += phase_now
        elif phase is not None and (wanted := self.issue_state(phase).phase_label):
            result.append(wanted)
        if keep_priority:
            result += priority_now
        elif priority is not None:
            result.append(self.priority_labels[priority])
        return result

    def milestone_title(self, due: date) -> str:
        return self.milestone_title_format.format(date=due.isoformat())

    # -- from GitHub ---------------------------------------------------------------------------
    def status(self, issue: Mapping[str, Any]) -> str:
        if issue.get("state") == "closed":
            return f"closed:{issue.get('state_reason') or 'completed'}"
        return "open"

    def phase(self, issue: Mapping[str, Any]) -> Phase | None:
        if issue.get("state") == "closed":
            reason = issue.get("state_reason") or "completed"
            return Phase.cancelled if reason in ("not_planned", "duplicate") else Phase.done
        by_label = {v.lower(): k for k, v in self.phase_labels.items()}
        found = {by_label.get(n.lower()) for n in label_names(issue) if self._is_phase_label(n)}
        return found.pop() if len(found) == 1 else None  # {None} (unknown label) -> None too

    def priority(self, issue: Mapping[str, Any]) -> Priority | None:
        by_label = {v.lower(): k for k, v in self.priority_labels.items()}
        found = {by_label[n.lower()] for n in label_names(issue) if n.lower() in by_label}
        return found.pop() if len(found) == 1 else None

    def due(self, issue: Mapping[str, Any]) -> date | None:
        milestone = issue.get("milestone") or None
        if not milestone:
            return None
        if milestone.get("due_on"):
            return due_date(str(milestone["due_on"]))
        prefix, _, suffix = self.milestone_title_format.partition("{date}")
        title = str(milestone.get("title") or "")
        if title.startswith(prefix) and title.endswith(suffix) and (m := _DATE.search(title)):
            try:
                return date.fromisoformat(m.group(1))
            except ValueError:
                return None
        return None

    def _is_phase_label(self, name: str) -> bool:
        lowered = name.lower()
        return lowered.startswith("phase:") or lowered in {
            v.lower() for v in self.phase_labels.values()}

    def _is_priority_label(self, name: str) -> bool:
        lowered = name.lower()
        return lowered.startswith("priority:") or lowered in {
            v.lower() for v in self.priority_labels.values()}


def due_on(due: date) -> datetime:
    """The instant to send as a milestone's due_on for day `due`: noon UTC is 04:00 or 05:00 in
    Los Angeles on that day, so GitHub's flooring to Pacific midnight keeps the day (midnight UTC
    would be the evening before there, and GitHub would show the day before)."""
    return datetime.combine(due, time(12), UTC)


def due_date(value: str | datetime) -> date:
    """The day a `due_on` stands for: the Pacific midnight nearest to it (GitHub's own form is
    exactly that midnight; a UTC midnight lies 7-8 hours before the same day's)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value.replace("Z", "+00:00"))
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return (moment.astimezone(GITHUB_ZONE) + timedelta(hours=12)).date()


def label_names(issue: Mapping[str, Any]) -> list[str]:
    return [str(lb["name"]) if isinstance(lb, dict) else str(lb) for lb in issue.get("labels") or []]


def marker_line(marker: str) -> str:
    if not marker or "-->" in marker or "\n" in marker or "\r" in marker:
        raise ValueError("a marker must be one line without '-->'")
    return MARKER_LINE.format(marker=marker)


def body_with_marker(body: str, marker: str) -> str:
    line = marker_line(marker)
    return f"{body.rstrip()}\n\n{line}" if body.strip() else line


def has_marker(body: str | None, marker: str) -> bool:
    line = marker_line(marker)
    return any(candidate.strip() == line for candidate in (body or "").splitlines())


def _label(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or "," in value:
        raise ValueError(f"not a usable GitHub label name: {value!r}")  # commas split filters
    return value.strip()
