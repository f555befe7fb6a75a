"""Action items: one change with one owner, followed from plan to closed loop.

Importing the package subscribes the closed-loop checklists to friction changes
(tracker/friction/hooks.py, rules in closed_loop.py). The subscription is tied to the package
rather than to a start-up call because friction points change in the API, the CLI (import,
demo) and the worker alike, and each of them loads the action-item models (tracker.models)
before its first flush: so no process can change a friction point without its items hearing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tracker.actions import spans as _spans  # noqa: F401 - its flush listener keeps items' open spans
from tracker.friction import hooks as _friction_hooks

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tracker.friction.hooks import CustomersChanged


def _on_customers_changed(session: Session, event: CustomersChanged) -> None:
    # Imported on first use: loading the services while this package initialises would pull
    # in modules that themselves import the action-item models mid-import.
    from tracker.actions.closed_loop import on_customers_changed

    on_customers_changed(session, event)


def install() -> None:
    """Keep closed-loop checklists in step with their friction points (idempotent)."""
    _friction_hooks.add_listener(_on_customers_changed)


install()
