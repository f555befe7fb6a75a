"""What the adapter has learned of a project's workflow, and the shortest way through it.

Jira tells a caller only the transitions offered at an issue's *current* status (GET
.../transitions); the workflow as a whole needs admin rights to read. So the map is learned from
those replies as tickets move, and a walk plans breadth-first over what is known. Where the known
part leads nowhere, the plan heads for the nearest status whose transitions nobody has read yet
(going there and reading them is the only way to learn more). Pure data: no HTTP here.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

# statusCategory.key, in the order work moves through them.
RANK = {"new": 0, "indeterminate": 1, "done": 2}


@dataclass(frozen=True)
class Hop:
    """One transition offered at a status, reduced to where it leads."""

    to: str  # status name, as Jira spells it
    category: str  # statusCategory.key of `to`: "new" | "indeterminate" | "done" ("" if absent)


class WorkflowMap:
    """The transitions seen offered at each status (by lower-cased name) of one project."""

    def __init__(self) -> None:
        self._offered: dict[str, tuple[Hop, ...]] = {}
        self._categories: dict[str, str] = {}
        self._lock = threading.Lock()  # one adapter serves several worker threads

    def learn(self, status: str, hops: Iterable[Hop]) -> None:
        """What Jira offers at `status` now (replacing older knowledge: workflows drift)."""
        hops = tuple(hops)
        with self._lock:
            self._offered[status.lower()] = hops
            for hop in hops:
                if hop.category:
                    self._categories[hop.to.lower()] = hop.category

    def category(self, status: str) -> str | None:
        with self._lock:
            return self._categories.get(status.lower())

    def plan(
        self, start: str, wanted: str, *, avoid: set[tuple[str, str]], rank: int, through_done: bool,
        explore: bool = True,
    ) -> list[str] | None:
        """Statuses to pass, ending at `wanted` (a known path, shortest first) or, failing that
        and when `explore`, at the nearest status not yet read. None: nothing left to try.

        `avoid` holds (from, to) pairs, lower-cased, that failed during this walk. A status of the
        done category is never passed through unless `through_done` (closing a ticket on the way
        notifies people, sets a resolution and fires automation). Among equally short ways, hops
        whose category is nearest `rank` (the wanted status's) are tried first.
        """
        with self._lock:
            offered, categories = dict(self._offered), dict(self._categories)
        goal = wanted.lower()
        parents: dict[str, str | None] = {start.lower(): None}
        names: dict[str, str] = {start.lower(): start}
        queue, unexplored = deque([start.lower()]), None
        while queue:
            status = queue.popleft()
            hops = sorted(offered.get(status, ()), key=lambda h: abs(RANK.get(h.category, 1) - rank))
            for hop in hops:
                to = hop.to.lower()
                if to in parents or (status, to) in avoid:
                    continue
                parents[to], names[to] = status, hop.to
                if to == goal:
                    return _path(to, parents, names)
                if (categories.get(to) or hop.category) == "done" and not through_done:
                    continue
                if to not in offered:
                    unexplored = unexplored or to  # BFS order: the first seen is the nearest
                    continue
                queue.append(to)
        return _path(unexplored, parents, names) if explore and unexplored else None

    def reachable(self, start: str, *, through_done: bool) -> list[str]:
        """Known statuses reachable from `start`, nearest first (for messages)."""
        with self._lock:
            offered = dict(self._offered)
        seen, names, queue = {start.lower()}, [], deque([start.lower()])
        while queue:
            for hop in offered.get(queue.popleft(), ()):
                if hop.to.lower() not in seen:
                    seen.add(hop.to.lower())
                    names.append(hop.to)
                    if hop.category != "done" or through_done:
                        queue.append(hop.to.lower())
        return names


def _path(end: str, parents: dict[str, str | None], names: dict[str, str]) -> list[str]:
    path: list[str] = []
    at: str | None = end
    while at is not None and parents[at] is not None:
        path.append(names[at])
        at = parents[at]
    return path[::-1]
