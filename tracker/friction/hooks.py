"""Announcing that the customers a friction point stands for have changed.

Friction points are the bottom of the chain: moments group them, action items are made from
moments, and an item's closed-loop checklist lists the friction points' affected customers.
The domains above subscribe here (tracker/actions keeps its checklists in step this way), so
friction and moments never import them and the import graph runs one way.

`announce` is called by every service function that changes which customers a friction point
stands for, or where it belongs: a customer added or removed, customers imported into an
existing point, a point grouped into, ungrouped from or moved between moments. Listeners run
inside the caller's transaction and only write rows.

Removals of customers are announced just *before* the rows are deleted (with their ids in
`leaving_customer_ids`): the database clears a checklist entry's link to its customer on
delete, and a listener needs that link to know which entries came from whom. Everything else
is announced after the change is flushed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tracker.people.models import Person


@dataclass(frozen=True)
class CustomersChanged:
    friction_point_ids: frozenset[int]
    # The moments concerned: the one the points are (or were) grouped under; both on a move.
    moment_ids: frozenset[int]
    actor: Person | None
    # What happened, as a clause for the activity log: "Lee Park was added to friction point 4".
    reason: str
    # Customers about to be deleted: count them as gone already.
    leaving_customer_ids: frozenset[int] = frozenset()


Listener = Callable[["Session", CustomersChanged], None]
_listeners: list[Listener] = []


def add_listener(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def remove_listener(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def announce(
    session: Session, *, friction_point_ids: Iterable[int], moment_ids: Iterable[int | None],
    actor: Person | None, reason: str,
    leaving_customer_ids: frozenset[int] = frozenset(),
) -> None:
    """Hand one change to every listener (`None` moment ids are dropped for the caller)."""
    event = CustomersChanged(
        friction_point_ids=frozenset(friction_point_ids),
        moment_ids=frozenset(m for m in moment_ids if m is not None),
        actor=actor, reason=reason, leaving_customer_ids=leaving_customer_ids,
    )
    for listener in list(_listeners):
        listener(session, event)
