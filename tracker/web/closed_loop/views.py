"""What the queue page shows, read through tracker/closed_loop (the API's own queries)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.actions.models import ActionItem, ChecklistEntry, Phase
from tracker.closed_loop import queue
from tracker.closed_loop.marks import MarkResult
from tracker.closed_loop.queue import Grouping, QueuePage, Totals
from tracker.people.models import Person, Role, Team
from tracker.web.closed_loop.forms import QueueQuery

PAGE_GROUPS = 25  # people (or fixes) per page; the queue pages on by cursor
PHASE_OPTIONS = [(p, p.value.replace("_", " ").capitalize()) for p in queue.QUEUE_PHASES]


def page(session: Session, query: QueueQuery) -> QueuePage:
    return queue.page(session, query.filters, grouping=query.group, cursor=query.cursor, limit=PAGE_GROUPS)


def team_options(session: Session) -> list[tuple[str, str]]:
    return [(str(t.id), t.name) for t in session.scalars(select(Team).order_by(Team.name))]


def may_mark(person: Person | Any) -> bool:
    return getattr(person, "role", Role.viewer) is not Role.viewer


@dataclass(frozen=True)
class Done:
    """A group with nobody left to tell after a mark: what the page says in its place."""

    dom_id: str
    title: str
    told: int
    status: str


@dataclass
class AfterMark:
    """What an htmx mark redraws: the groups it touched (still owing news, or done), the totals,
    and the status line."""

    groups: list[Any] = field(default_factory=list)
    done: list[Done] = field(default_factory=list)
    totals: Totals | None = None


def after_mark(session: Session, query: QueueQuery, result: MarkResult) -> AfterMark:
    touched = [s.entry for s in result.stale] + result.marked
    filters = query.filters
    out = AfterMark(totals=queue.totals(session, filters))
    if query.group is Grouping.item:
        item_ids = sorted({e.action_item_id for e in touched})
        items = list(session.scalars(select(ActionItem).where(ActionItem.id.in_(item_ids))))
        out.groups = queue.items_by_id(session, filters, items)
        left = {g.item_id for g in out.groups}
        told: dict[int, int] = defaultdict(int)
        for e in result.marked:
            told[e.action_item_id] += 1
        out.done = [Done(dom_id=f"item-{i.id}", title=i.title, told=told[i.id], status=_status(result))
                    for i in items if i.id not in left]
        return out
    keys = list(dict.fromkeys(e.contact_key for e in touched))
    out.groups = queue.customers_by_key(session, filters, keys)
    left_keys = {g.key for g in out.groups}
    by_key: dict[str, list[ChecklistEntry]] = defaultdict(list)
    for e in result.marked:
        by_key[e.contact_key].append(e)
    for key in keys:
        if key not in left_keys:
            marked = by_key.get(key, [])
            name = marked[0].customer_name if marked else key
            out.done.append(Done(dom_id=queue.customer_dom_id(key), title=name,
                                 told=len(marked), status=_status(result)))
    return out


def _status(result: MarkResult) -> str:
    return result.marked[0].status.value if result.marked else ""


def _fixes(n: int) -> str:
    return f"{n} fix" if n == 1 else f"{n} fixes"


def summary(result: MarkResult) -> list[str]:
    """The status line in sentences (plain text: the template escapes it)."""
    lines: list[str] = []
    if result.marked:
        people: dict[str, list[ChecklistEntry]] = defaultdict(list)
        for e in result.marked:
            people[e.contact_key].append(e)
        named = ", ".join(f"{es[0].customer_name} ({_fixes(len(es))})" if len(es) > 1 else es[0].customer_name
                          for es in people.values())
        lines.append(f"Marked {result.marked[0].status.value}: {named}.")
    for s in result.stale:
        when = f" at {s.changed_at:%d %b %H:%M} UTC" if s.changed_at else ""
        what = f" ({s.what})" if s.what else ""
        lines.append(f"Not marked: {s.entry.customer_name} about “{s.item.title}” was changed by "
                     f"{s.changed_by}{when}{what}; it is {s.entry.status.value} now.")
    for item in result.cleared:
        lines.append(f"Nobody is left to tell about “{item.title}”: its owner can mark it done.")
    return lines


def phase_label(phase: Phase) -> str:
    return phase.value.replace("_", " ").capitalize()
