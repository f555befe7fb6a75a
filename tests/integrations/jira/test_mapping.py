"""The documented default mapping, target overrides, and the JQL time literal of a watermark."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from integrations.jira.mapping import JiraMapping
from integrations.jira.tickets import jql_since, jql_string
from tracker.actions.models import Phase, Priority


def test_defaults() -> None:
    mapping = JiraMapping.from_overrides(None)
    assert {p.value: mapping.status_for(p) for p in Phase} == {
        "planned": "To Do", "implementing": "In Progress", "training": "In Progress",
        "closing_loop": "In Progress", "done": "Done", "blocked": "To Do", "cancelled": "Done",
    }  # fmt: skip
    assert [mapping.phase_for(s) for s in ("To Do", "in progress", "In Review", "Done", "Backlog", None)] == [
        Phase.planned, Phase.implementing, Phase.implementing, Phase.done, None, None,
    ]  # fmt: skip
    assert {p.value: mapping.priority_name(p) for p in Priority} == {
        "low": "Low", "medium": "Medium", "high": "High", "urgent": "Highest",
    }  # fmt: skip
    assert [mapping.priority_of(n) for n in ("Highest", "low", "Lowest", None)] == [
        Priority.urgent, Priority.low, None, None,
    ]  # fmt: skip
    assert (mapping.initial_status, mapping.notify_watchers, mapping.transition_fields) == ("To Do", True, {})


def test_overrides_merge_over_defaults() -> None:
    mapping = JiraMapping.from_overrides(
        {
            "status_for_phase": {"training": "In Review", "done": "Closed"},
            "phase_for_status": {"Closed": "done"},
            "priority_for": {"urgent": "Blocker"},
            "priority_from": {"Lowest": "low"},
            "transition_fields": {"Closed": {"resolution": {"name": "Done"}}},
        }
    )
    assert (mapping.status_for(Phase.training), mapping.status_for(Phase.planned)) == ("In Review", "To Do")
    assert (mapping.phase_for("CLOSED"), mapping.phase_for("Done")) == (Phase.done, Phase.done)
    assert (mapping.priority_name(Priority.urgent), mapping.priority_of("Blocker")) == ("Blocker", Priority.urgent)
    assert mapping.priority_of("Lowest") is Priority.low
    screen = {"resolution": {"required": True}}
    assert mapping.fields_for_transition("closed", screen) == {"resolution": {"name": "Done"}}
    assert mapping.fields_for_transition("closed", {}) == {}  # not on the screen: not sent
    with pytest.raises(ValueError):
        JiraMapping.from_overrides({"status_for_phase": {"shipping": "Done"}})


def test_jql_since_is_minute_precise_in_the_users_zone_with_a_minute_of_overlap() -> None:
    watermark = datetime(2026, 11, 22, 10, 5, 30, tzinfo=UTC)
    assert jql_since(watermark, ZoneInfo("Etc/UTC")) == "2026/11/22 10:04"
    assert jql_since(watermark, ZoneInfo("Europe/Berlin")) == "2026/11/22 11:04"
    assert jql_since(watermark, None) == "2026/11/21 10:04"  # zone unknown: a day back is safe anywhere
    assert jql_string('a "b" \\c') == '"a \\"b\\" \\\\c"'
