"""Moving a Jira issue to a wanted status through as many transitions as its workflow needs.

Real workflows often have no direct transition (In Progress -> In Review -> Done). At each status
the walk reads GET .../transitions (the only source of valid transition ids and of the fields a
transition's screen demands), learns what is offered there into the adapter's `WorkflowMap`, and
fires the first hop of the shortest known way (or of the way to the nearest status not yet read).
Bounded: at most MAX_MOVES transitions per walk. A walk that cannot arrive moves the issue back
where it started (its recorded status stays true, and no half-done move is left for people to
puzzle over), then raises WorkflowBlocked naming the path that is missing or the field Jira wants.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, NoReturn

from jira import JIRA, JIRAError
from requests import RequestException

from integrations.jira.errors import describe, jira_errors, translate
from integrations.jira.mapping import JiraMapping, same_status
from integrations.jira.workflow import RANK, Hop, WorkflowMap
from tracker.actions.models import Phase
from tracker.sync.ports import TicketError, WorkflowBlocked

MAX_MOVES = 8  # transitions one walk may fire, exploring included (a long review chain has ~4)
_GUESSED = {Phase.done: "done", Phase.cancelled: "done", Phase.planned: "new", Phase.blocked: "new"}


@dataclass
class Position:
    """Where the issue is; the walk keeps it current, so a caller knows it even after an error."""

    status: str


class _Demanded(Exception):
    """A transition's screen wants a field we have no value for: try another way first."""

    def __init__(self, error: WorkflowBlocked) -> None:
        super().__init__(str(error))
        self.error = error


class Walker:
    def __init__(
        self, project: str, mapping: JiraMapping, single_attempt: Callable[[JIRA], AbstractContextManager[None]]
    ) -> None:
        self.project = project
        self.mapping = mapping
        self.map = WorkflowMap()
        self._single_attempt = single_attempt

    def walk(self, jira: JIRA, key: str, position: Position, wanted: str) -> None:
        """Move `key` from `position.status` to `wanted`; raises WorkflowBlocked if no way exists."""
        start, moves = position.status, 0
        avoid: set[tuple[str, str]] = set()  # (from, to) hops that demanded a field we lack
        refused: WorkflowBlocked | None = None
        offered: list[dict[str, Any]] | None = None  # read at position.status, if still there
        while not same_status(position.status, wanted):
            path = None
            if moves < MAX_MOVES:
                offered = offered if offered is not None else self._read(jira, key, position.status)
                path = self._plan(position.status, wanted, avoid)
            if path is None or offered is None:
                self._fail(jira, key, position, start, wanted, refused, exhausted=moves >= MAX_MOVES)
            hop = (position.status.lower(), path[0].lower())
            chosen = next((t for t in offered if same_status(t["to"]["name"], path[0])), None)
            if chosen is None:  # another thread learned this status from an issue offered more
                avoid.add(hop)
                continue
            try:
                self._fire(jira, key, chosen, position.status, wanted)
            except _Demanded as demanded:
                avoid.add(hop)
                refused = refused or demanded.error
                continue
            moves += 1
            position.status, offered = str(chosen["to"]["name"]), None

    # -- steps -----------------------------------------------------------------------------------
    def _read(self, jira: JIRA, key: str, status: str) -> list[dict[str, Any]]:
        try:
            available: list[dict[str, Any]] = jira.transitions(key, expand="transitions.fields")
        except (JIRAError, RequestException, ValueError) as error:
            raise translate(error, doing=f"read the transitions of {key}") from None
        self.map.learn(status, [
            Hop(str(t["to"]["name"]), str((t["to"].get("statusCategory") or {}).get("key") or ""))
            for t in available
        ])
        return available

    def _fire(self, jira: JIRA, key: str, chosen: dict[str, Any], at: str, wanted: str) -> None:
        to = str(chosen["to"]["name"])
        screen = chosen.get("fields") or {}
        values = self.mapping.fields_for_transition(to, screen)
        try:
            with self._single_attempt(jira):  # a re-sent transition would fail or go a step too far
                jira.transition_issue(key, str(chosen["id"]), fields=values)
        except JIRAError as error:
            if error.status_code != 400:
                raise translate(error, doing=f"move {key} to {to!r}", write=True) from None
            _, errors = jira_errors(error)
            field = next(iter(errors), None)
            if field is None:
                raise WorkflowBlocked(
                    f"Jira refused to move {key} from {at!r} to {to!r}: {describe(error)}"
                ) from None
            name = (screen.get(field) or {}).get("name") or field
            way = "" if same_status(to, wanted) else f" on the way to {wanted!r}"
            raise _Demanded(WorkflowBlocked(
                f"Jira workflow of {self.project} demands {name!r} ({field}) to move {key} from "
                f"{at!r} to {to!r}{way}: {errors[field]}",
                field=field,
            )) from None
        except (RequestException, ValueError) as error:
            raise translate(error, doing=f"move {key} to {to!r}", write=True) from None

    def _plan(
        self, at: str, wanted: str, avoid: set[tuple[str, str]], *, explore: bool = True
    ) -> list[str] | None:
        category = self.map.category(wanted) or self._guess_category(wanted)
        return self.map.plan(
            at, wanted, avoid=avoid, rank=RANK.get(category, 1), through_done=category == "done", explore=explore
        )

    def _guess_category(self, status: str) -> str:
        """Until Jira shows it, the category our mapping implies (done -> "done", ...)."""
        phase = self.mapping.phase_for(status)
        return _GUESSED.get(phase, "indeterminate") if phase is not None else "indeterminate"

    # -- giving up -------------------------------------------------------------------------------
    def _fail(
        self, jira: JIRA, key: str, position: Position, start: str, wanted: str,
        refused: WorkflowBlocked | None, *, exhausted: bool,
    ) -> NoReturn:
        if refused is not None:
            message, field = str(refused), refused.field
        elif exhausted:
            message, field = (
                f"Jira workflow of {self.project}: no way from {start!r} to {wanted!r} found within "
                f"{MAX_MOVES} transitions"
            ), None
        else:
            through_done = (self.map.category(wanted) or self._guess_category(wanted)) == "done"
            reachable = [s for s in self.map.reachable(start, through_done=through_done) if not same_status(s, start)]
            message, field = (
                f"Jira workflow of {self.project} offers no path from {start!r} to {wanted!r} "
                f"(reachable: {', '.join(reachable) or 'none'})"
            ), None
        if not self._return(jira, key, position, start):
            message += f"; {key} was left at {position.status!r}"
        raise WorkflowBlocked(message, field=field)

    def _return(self, jira: JIRA, key: str, position: Position, home: str) -> bool:
        """Back to where the walk began, along known transitions only (best effort)."""
        for _ in range(MAX_MOVES):
            if same_status(position.status, home):
                return True
            try:
                offered = self._read(jira, key, position.status)  # also learns where it now is
                path = self._plan(position.status, home, set(), explore=False)
                chosen = next((t for t in offered if path and same_status(t["to"]["name"], path[0])), None)
                if chosen is None:
                    return False
                self._fire(jira, key, chosen, position.status, home)
            except (TicketError, _Demanded):
                return False
            position.status = str(chosen["to"]["name"])
        return same_status(position.status, home)
