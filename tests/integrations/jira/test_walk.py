"""The adapter walks multi-step Jira workflows, and says which path is missing when none exists."""

from __future__ import annotations

from typing import Any

import pytest

from integrations.jira.emulator import BOB_ID, JiraEmulator, Transition, Workflow
from integrations.jira.emulator_workflows import (
    DONE_STATUS,
    IN_PROGRESS,
    IN_PROGRESS_STATUS,
    IN_REVIEW,
    NEW,
    TO_DO,
    Status,
)
from integrations.sandbox import TARGET_MAPPINGS
from tests.integrations.jira.test_client import MARKER, calls, item, tickets
from tracker.actions.models import Phase
from tracker.sync.ports import WorkflowBlocked

RESOLVE: dict[str, Any] = {"transition_fields": {"Done": {"resolution": {"name": "Done"}}}}
BLOCKED = Status("10010", "Blocked", IN_PROGRESS)
BACKLOG = Status("10011", "Backlog", NEW)


def path(emu: JiraEmulator, key: str) -> list[str]:
    """The statuses the issue went through, from its changelog."""
    issue = emu.issue(key)
    moves = [i for h in issue.histories for i in h.items if i.field == "status"]
    return [moves[0].from_string or ""] + [i.to_string or "" for i in moves] if moves else []


def test_done_walks_through_review(emu: JiraEmulator) -> None:
    jira = tickets(emu, "OPS", RESOLVE)
    key = jira.create(item(phase=Phase.implementing), marker=MARKER).key
    emu.reset_calls()
    ticket = jira.update(key, item(phase=Phase.done), {"phase"})
    assert (ticket.status, ticket.phase) == ("Done", Phase.done)
    assert path(emu, key) == ["To Do", "In Progress", "In Review", "Done"]
    record = emu.issue(key)
    assert record.resolution is not None and record.resolution.name == "Done"
    assert calls(emu) == {
        "GET /issue/{key}": 1, "GET /issue/{key}/transitions": 2, "POST /issue/{key}/transitions": 2,
    }  # fmt: skip


def test_create_in_a_late_phase_walks_from_the_initial_status(emu: JiraEmulator) -> None:
    ticket = tickets(emu, "OPS", RESOLVE).create(item(phase=Phase.done), marker=MARKER)
    assert (ticket.status, ticket.phase) == ("Done", Phase.done)
    assert path(emu, ticket.key) == ["To Do", "In Progress", "In Review", "Done"]


def test_the_sandbox_s_review_project_reaches_done(emu: JiraEmulator) -> None:
    """The sandbox's OPS target is mapped so that its items can close (OPS demands a resolution)."""
    jira = tickets(emu, "OPS", TARGET_MAPPINGS["OPS"])
    key = jira.create(item(phase=Phase.implementing), marker=MARKER).key
    assert jira.update(key, item(phase=Phase.done), {"phase"}).status == "Done"


def test_a_field_demanded_on_the_way_breaks_naming_it_and_the_ticket_goes_back(emu: JiraEmulator) -> None:
    jira = tickets(emu, "OPS")
    key = jira.create(item(phase=Phase.implementing), marker=MARKER).key
    with pytest.raises(WorkflowBlocked) as caught:
        jira.update(key, item(phase=Phase.done), {"phase"})
    assert caught.value.field == "resolution"
    assert str(caught.value) == (
        "Jira workflow of OPS demands 'Resolution' (resolution) to move OPS-1 from 'In Review' to "
        "'Done': Resolution is required."
    )
    assert path(emu, key) == ["To Do", "In Progress", "In Review", "In Progress"]


def test_a_dead_end_names_the_missing_path_and_leaves_the_ticket_where_it_was(emu: JiraEmulator) -> None:
    # "Done" exists, but only "In Review" leads there and nothing leads to "In Review".
    emu.add_project("DEAD", "Dead end", Workflow("Dead end", initial=TO_DO, transitions=[
        Transition("11", "Start", IN_PROGRESS_STATUS, sources=("To Do",)),
        Transition("21", "Stop", TO_DO, sources=("In Progress",)),
        Transition("31", "Approve", DONE_STATUS, sources=("In Review",)),
    ], extra_statuses=[IN_REVIEW]))
    jira = tickets(emu, "DEAD", RESOLVE)
    key = jira.create(item(phase=Phase.implementing), marker=MARKER).key
    with pytest.raises(WorkflowBlocked) as caught:
        jira.update(key, item(phase=Phase.done), {"phase"})
    assert str(caught.value) == (
        "Jira workflow of DEAD offers no path from 'In Progress' to 'Done' (reachable: To Do)"
    )
    assert caught.value.field is None
    assert emu.issue(key).status.name == "In Progress"  # explored To Do, and came back

    emu.human(BOB_ID).set_status(key, "Done")  # a status with no way out at all
    emu.reset_calls()
    with pytest.raises(WorkflowBlocked) as caught:
        jira.update(key, item(phase=Phase.planned), {"phase"})
    assert str(caught.value) == "Jira workflow of DEAD offers no path from 'Done' to 'To Do' (reachable: none)"
    assert calls(emu) == {"GET /issue/{key}": 1, "GET /issue/{key}/transitions": 1}


def test_what_one_walk_learns_spares_the_next_one_a_detour(emu: JiraEmulator) -> None:
    emu.add_project("DET", "Detour", Workflow("Detour", initial=TO_DO, transitions=[
        Transition("11", "Start", IN_PROGRESS_STATUS, sources=("To Do",)),
        Transition("21", "Block", BLOCKED, sources=("In Progress",)),  # offered first, leads nowhere
        Transition("31", "Submit", IN_REVIEW, sources=("In Progress",)),
        Transition("41", "Unblock", IN_PROGRESS_STATUS, sources=("Blocked",)),
        Transition("51", "Approve", DONE_STATUS, sources=("In Review",)),
    ]))
    jira = tickets(emu, "DET")
    first = jira.create(item(phase=Phase.implementing), marker=MARKER).key
    second = jira.create(item(phase=Phase.implementing), marker="trk-13-00000000").key
    assert jira.update(first, item(phase=Phase.done), {"phase"}).status == "Done"
    assert path(emu, first) == ["To Do", "In Progress", "Blocked", "In Progress", "In Review", "Done"]
    emu.reset_calls()
    assert jira.update(second, item(phase=Phase.done), {"phase"}).status == "Done"
    assert path(emu, second) == ["To Do", "In Progress", "In Review", "Done"]
    assert calls(emu)["POST /issue/{key}/transitions"] == 2


def test_the_walk_is_bounded(emu: JiraEmulator) -> None:
    steps = [Status(str(20000 + n), f"Step {n}", IN_PROGRESS) for n in range(1, 11)]
    chain = [Transition(str(100 + n), f"To step {n}", s, sources=((steps[n - 2].name,) if n > 1 else ("To Do",)))
             for n, s in enumerate(steps, start=1)]
    emu.add_project("LONG", "Long", Workflow("Long", initial=TO_DO, transitions=[
        *chain,
        Transition("900", "Finish", DONE_STATUS, sources=("Step 10",)),
        Transition("901", "Reset", TO_DO),  # global: from anywhere back to To Do
    ]))
    jira = tickets(emu, "LONG")
    key = jira.create(item(), marker=MARKER).key
    emu.reset_calls()
    with pytest.raises(WorkflowBlocked) as caught:
        jira.update(key, item(phase=Phase.done), {"phase"})
    assert str(caught.value) == "Jira workflow of LONG: no way from 'To Do' to 'Done' found within 8 transitions"
    assert emu.issue(key).status.name == "To Do"  # reset once the walk gave up
    assert calls(emu)["POST /issue/{key}/transitions"] == 9  # 8 out, 1 back


def test_a_done_status_is_not_passed_through_on_the_way_elsewhere(emu: JiraEmulator) -> None:
    # Backlog -> (only via Done) -> To Do: reaching To Do would close the ticket on the way.
    emu.add_project("BKL", "Backlog", Workflow("Backlog first", initial=BACKLOG, transitions=[
        Transition("11", "Close", DONE_STATUS, sources=("Backlog",)),
        Transition("21", "Reopen", TO_DO, sources=("Done",)),
    ]))
    jira = tickets(emu, "BKL", {"initial_status": "Backlog", "phase_for_status": {"Backlog": "planned"}})
    key = jira.create(item(phase=Phase.blocked), marker=MARKER).key  # blocked -> "To Do"
    assert emu.issue(key).status.name == "Backlog"
    with pytest.raises(WorkflowBlocked) as caught:
        jira.update(key, item(phase=Phase.blocked, title="again"), {"phase", "title"})
    assert "offers no path from 'Backlog' to 'To Do' (reachable: Done)" in str(caught.value)
    assert path(emu, key) == []
