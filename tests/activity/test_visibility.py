"""Who may read what in the activity log: where a sign-in came from is for admins only
(tracker.activity.visibility), the rule every output of the log applies."""

from __future__ import annotations

import pytest

from tracker.activity.models import ActivityEntry
from tracker.activity.visibility import visible_changes
from tracker.people.models import Person, Role

SIGN_IN = {"ip": "203.0.113.7", "user_agent": "Firefox/140.0"}


def _entry(action: str, changes: dict[str, object]) -> ActivityEntry:
    return ActivityEntry(actor_label="Ana <ana@example.com>", entity_type="person", entity_id=1,
                         action=action, changes=changes)


@pytest.mark.parametrize("role", [Role.lead, Role.owner, Role.viewer, None])
def test_a_sign_in_shows_no_address_or_browser_but_to_an_admin(role: Role | None) -> None:
    entry = _entry("signed_in", {**SIGN_IN, "method": "password"})
    assert visible_changes(entry, role) == {"method": "password"}
    assert entry.changes == {**SIGN_IN, "method": "password"}  # the entry itself is untouched


def test_an_admin_sees_where_a_sign_in_came_from() -> None:
    entry = _entry("signed_in", dict(SIGN_IN))
    assert visible_changes(entry, Role.admin) == SIGN_IN
    assert visible_changes(entry, Person(name="Ada", email="ada@example.com", role=Role.admin)) == SIGN_IN
    assert visible_changes(entry, Person(name="Vic", email="vic@example.com", role=Role.viewer)) == {}


@pytest.mark.parametrize("role", list(Role))
def test_other_entries_are_shown_whole_to_everyone(role: Role) -> None:
    # A field called `ip` on another action is that action's own business, not a sign-in's origin.
    entry = _entry("renamed", {"title": {"from": "a", "to": "b"}, "ip": "kept"})
    assert visible_changes(entry, role) == entry.changes
