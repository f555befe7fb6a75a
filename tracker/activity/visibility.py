"""Who may read what in the activity log. The log is open to every role, but where a sign-in came
from (the IP address and the browser) is personal data an admin may need to check a suspicious
session; nobody else does. One rule for every output of the log: the activity page, its CSV,
GET /activity, an item's activity (page and API).

A person's own browsers are listed to them on their account page (tracker/auth/sessions.py);
that page reads the sessions, not the log, and is not concerned here.
"""

from __future__ import annotations

from typing import Any

from tracker.activity.models import ActivityEntry
from tracker.people.models import Person, Role

# {action: the fields of its changes only admins see}
ADMIN_ONLY_FIELDS: dict[str, frozenset[str]] = {
    "signed_in": frozenset({"ip", "user_agent"}),
}


def visible_changes(entry: ActivityEntry, viewer: Person | Role | None) -> dict[str, Any]:
    """The entry's changes as `viewer` (a person, or just their role) may read them: without the
    admin-only fields unless the viewer is an admin. Never changes the entry itself."""
    changes = entry.changes or {}
    hidden = ADMIN_ONLY_FIELDS.get(entry.action)
    role = viewer.role if isinstance(viewer, Person) else viewer
    if not hidden or role is Role.admin:
        return changes
    return {name: value for name, value in changes.items() if name not in hidden}
