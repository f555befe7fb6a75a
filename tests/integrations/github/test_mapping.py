"""The GitHub field mapping on its own: defaults, overrides, labels, back-mapping, markers."""

from __future__ import annotations

from datetime import date

import pytest

from integrations.github.mapping import GitHubMapping, body_with_marker, has_marker
from tracker.actions.models import Phase, Priority

DEFAULT = GitHubMapping.from_overrides({})


def issue(state: str = "open", reason: str | None = None, labels: tuple[str, ...] = (),
          milestone: dict[str, object] | None = None) -> dict[str, object]:
    return {"state": state, "state_reason": reason, "labels": [{"name": n} for n in labels],
            "milestone": milestone}


def test_every_phase_round_trips() -> None:
    for phase in Phase:
        wanted = DEFAULT.issue_state(phase)
        labels = DEFAULT.labels([], phase=phase, priority=None)
        back = issue(wanted.state, wanted.state_reason, tuple(labels))
        assert DEFAULT.phase(back) is phase


def test_back_mapping_of_closed_reasons() -> None:
    assert DEFAULT.phase(issue("closed", None)) is Phase.done  # issues closed before reasons
    assert DEFAULT.phase(issue("closed", "duplicate")) is Phase.cancelled
    assert DEFAULT.status(issue("closed", None)) == "closed:completed"
    assert DEFAULT.phase(issue("open", "reopened")) is None


def test_labels_replace_ours_and_keep_peoples() -> None:
    current = ["bug", "Phase: Training", "phase: something-else", "priority: low", "tracker"]
    assert DEFAULT.labels(current, phase=Phase.blocked, priority=Priority.urgent) == [
        "bug", "tracker", "phase: blocked", "priority: urgent"]
    assert DEFAULT.labels(current, phase=Phase.done, priority=None, keep_priority=True) == [
        "bug", "tracker", "priority: low"]


def test_due_from_due_on_then_from_our_title() -> None:
    assert DEFAULT.due(issue(milestone={"title": "x", "due_on": "2025-03-01T08:00:00Z"})) == \
        date(2025, 3, 1)
    assert DEFAULT.due(issue(milestone={"title": "Due 2025-04-02", "due_on": None})) == \
        date(2025, 4, 2)
    assert DEFAULT.due(issue(milestone={"title": "Sprint 2025-04-02", "due_on": None})) is None
    assert DEFAULT.due(issue(milestone={"title": "Due 2025-13-02", "due_on": None})) is None
    assert DEFAULT.milestone_title(date(2025, 3, 1)) == "Due 2025-03-01"


@pytest.mark.parametrize("overrides", [
    {"unknown": 1}, {"phase_labels": {"done": "x"}}, {"phase_labels": {"nope": "x"}},
    {"priority_labels": {"low": "a,b"}}, {"milestone_title": "no date"},
    {"priority_labels": {"low": "priority: high"}},
])
def test_bad_overrides_are_refused(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        GitHubMapping.from_overrides(overrides)


def test_marker_is_a_hidden_last_line() -> None:
    body = body_with_marker("Why: churn.\n", "item-7")
    assert body == "Why: churn.\n\n<!-- tracker:marker=item-7 -->"
    assert has_marker(body, "item-7") and not has_marker(body, "item-70")
    assert body_with_marker("", "m") == "<!-- tracker:marker=m -->"
    with pytest.raises(ValueError):
        body_with_marker("x", "evil -->")
