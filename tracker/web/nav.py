"""The layout's navigation. A screen joins the menu by adding one entry here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tracker.people.models import Role

if TYPE_CHECKING:
    from tracker.web.session import Viewer


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    roles: frozenset[Role] = frozenset(Role)  # who sees the entry (the route still checks)


NAV: tuple[NavItem, ...] = (
    NavItem("Home", "/"),
    NavItem("My work", "/app/my-work", frozenset({Role.owner, Role.lead, Role.admin})),
    NavItem("Journeys", "/app/journey-maps"),
    NavItem("Moments", "/app/moments"),
    NavItem("Investigations", "/app/investigations"),
    NavItem("Board", "/app/board"),
    NavItem("Closed loop", "/app/closed-loop"),
    NavItem("Training", "/app/training"),
    NavItem("Activity", "/app/activity"),
    NavItem("Digest", "/app/digests"),
    NavItem("Teams", "/app/teams"),
    NavItem("People", "/app/people", frozenset({Role.admin})),
    NavItem("Integrations", "/app/health", frozenset({Role.lead, Role.admin})),
    NavItem("API docs", "/docs"),
)


def nav_for(person: Viewer | None) -> list[NavItem]:
    if person is None:
        return []
    return [item for item in NAV if person.role in item.roles]
