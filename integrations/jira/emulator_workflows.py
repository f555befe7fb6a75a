"""Per-project workflows: statuses, the transitions between them, and the fields a transition demands.

Jira projects differ here more than anywhere else (a team-managed "To Do / In Progress / Done" lets
any status go to any other; a company-managed review workflow does not, and its screens may insist
on a resolution). The tracker must match on target status, so the emulator offers both kinds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class StatusCategory:
    id: int
    key: str  # "new" | "indeterminate" | "done": the stable thing to match on
    name: str
    color: str


NEW = StatusCategory(2, "new", "To Do", "blue-gray")
IN_PROGRESS = StatusCategory(4, "indeterminate", "In Progress", "yellow")
DONE = StatusCategory(3, "done", "Done", "green")


@dataclass(frozen=True)
class Status:
    id: str
    name: str
    category: StatusCategory


# Global status ids, as in a real site where statuses are shared between workflows.
TO_DO = Status("10000", "To Do", NEW)
IN_PROGRESS_STATUS = Status("3", "In Progress", IN_PROGRESS)
IN_REVIEW = Status("10002", "In Review", IN_PROGRESS)
DONE_STATUS = Status("10001", "Done", DONE)


@dataclass(frozen=True)
class Transition:
    id: str
    name: str
    to: Status
    sources: tuple[str, ...] | None = None  # status names it starts from; None = global (any)
    required: tuple[str, ...] = ()  # field ids its screen demands ("resolution", "customfield_...")
    optional: tuple[str, ...] = ()  # field ids its screen shows but does not demand

    def starts_from(self, status: Status) -> bool:
        if self.sources is None:
            return status != self.to  # a global transition to where we already are is hidden
        return status.name in self.sources


@dataclass
class Workflow:
    name: str
    initial: Status
    transitions: list[Transition]
    # Team-managed projects set resolution "Done" on entering a done status without asking;
    # every workflow here clears it again when the issue leaves the done category.
    auto_resolve: bool = True
    extra_statuses: list[Status] = field(default_factory=list)

    @property
    def statuses(self) -> list[Status]:
        seen: dict[str, Status] = {self.initial.name: self.initial}
        for status in [*self.extra_statuses, *(t.to for t in self.transitions)]:
            seen.setdefault(status.name, status)
        return list(seen.values())

    def available(self, status: Status) -> list[Transition]:
        return [t for t in self.transitions if t.starts_from(status)]

    def status_named(self, name: str) -> Status | None:
        return next((s for s in self.statuses if s.name.lower() == name.lower()), None)


def simple_workflow() -> Workflow:
    """Team-managed default: any status to any other, transition ids 11/21/31, no screens."""
    return Workflow(
        name="Simplified workflow",
        initial=TO_DO,
        transitions=[
            Transition("11", "To Do", TO_DO),
            Transition("21", "In Progress", IN_PROGRESS_STATUS),
            Transition("31", "Done", DONE_STATUS),
        ],
    )


def review_workflow(required_on_done: Iterable[str] = ("resolution",)) -> Workflow:
    """Company-managed with review: To Do -> In Progress -> In Review -> Done, no shortcut.

    The "Done" transition's screen demands `required_on_done` (by default the resolution), so a
    caller that just fires the transition gets 400 `{"errors": {"resolution": "Resolution is
    required."}}`, as on a real site with a resolution screen.
    """
    return Workflow(
        name="Review workflow",
        initial=TO_DO,
        auto_resolve=False,
        transitions=[
            Transition("11", "Start Progress", IN_PROGRESS_STATUS, sources=("To Do",)),
            Transition("21", "Submit for Review", IN_REVIEW, sources=("In Progress",)),
            Transition("31", "Request Changes", IN_PROGRESS_STATUS, sources=("In Review",)),
            Transition("41", "Done", DONE_STATUS, sources=("In Review",), required=tuple(required_on_done)),
            Transition("51", "Reopen", TO_DO, sources=("Done",)),
            Transition("61", "Stop Progress", TO_DO, sources=("In Progress",)),
        ],
    )
