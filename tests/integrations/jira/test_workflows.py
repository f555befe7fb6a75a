"""Per-project workflows: no shortcuts, fields a transition demands, and their metadata."""

from __future__ import annotations

import pytest
from jira import JIRA, JIRAError

from integrations.jira.emulator import JiraEmulator, Transition, Workflow
from integrations.jira.emulator_workflows import (
    DONE,
    DONE_STATUS,
    IN_PROGRESS_STATUS,
    IN_REVIEW,
    TO_DO,
    Status,
    review_workflow,
)
from tests.integrations.jira.conftest import task


def _to(jira: JIRA, key: str, status: str) -> str:
    """Match on the target status, never the transition name (they differ per project)."""
    return next(t["id"] for t in jira.transitions(key) if t["to"]["name"] == status)


def test_review_workflow_has_no_shortcut(jira: JIRA) -> None:
    key = jira.create_issue(fields=task(project="OPS")).key
    assert [t["to"]["name"] for t in jira.transitions(key)] == ["In Progress"]
    with pytest.raises(JIRAError) as caught:
        jira.transition_issue(key, "41")  # "Done" exists, but not from To Do
    assert caught.value.status_code == 400
    assert caught.value.response.json()["errorMessages"] == [
        "Transition id '41' is not valid for this issue."
    ]


def test_done_demands_a_resolution_and_names_the_field(jira: JIRA) -> None:
    key = jira.create_issue(fields=task(project="OPS")).key
    jira.transition_issue(key, _to(jira, key, "In Progress"))
    jira.transition_issue(key, _to(jira, key, "In Review"))
    meta = next(t for t in jira.transitions(key, expand="transitions.fields") if t["to"]["name"] == "Done")
    assert meta["fields"]["resolution"]["required"] is True
    assert "Done" in [v["name"] for v in meta["fields"]["resolution"]["allowedValues"]]
    with pytest.raises(JIRAError) as caught:
        jira.transition_issue(key, meta["id"])
    assert caught.value.status_code == 400
    assert caught.value.response.json()["errors"] == {"resolution": "Resolution is required."}
    assert jira.issue(key).fields.status.name == "In Review"  # nothing happened
    jira.transition_issue(key, meta["id"], fields={"resolution": {"name": "Won't Do"}})
    done = jira.issue(key)
    assert (done.fields.status.name, done.fields.resolution.name) == ("Done", "Won't Do")
    assert done.fields.resolutiondate is not None
    jira.transition_issue(key, _to(jira, key, "To Do"))  # reopening clears the resolution
    assert jira.issue(key).fields.resolution is None


def test_custom_field_required_by_a_transition(emu: JiraEmulator, jira: JIRA) -> None:
    root_cause = emu.add_custom_field("Root cause")
    emu.add_project("QA", "Quality", review_workflow(required_on_done=(root_cause,)))
    key = jira.create_issue(fields=task(project="QA")).key
    emu.human("bob@example.com").set_status(key, "In Review")
    with pytest.raises(JIRAError) as caught:
        jira.transition_issue(key, _to(jira, key, "Done"))
    assert caught.value.response.json()["errors"] == {root_cause: "Root cause is required."}
    jira.transition_issue(key, _to(jira, key, "Done"), fields={root_cause: "Stale cache"})
    assert jira.issue(key).raw["fields"][root_cause] == "Stale cache"


def test_screenless_transition_refuses_fields(jira: JIRA) -> None:
    key = jira.create_issue(fields=task()).key
    with pytest.raises(JIRAError) as caught:
        jira.transition_issue(key, "31", fields={"resolution": {"name": "Done"}})
    assert "resolution" in caught.value.response.json()["errors"]


def test_workflow_drift_and_custom_workflows(emu: JiraEmulator, jira: JIRA) -> None:
    key = jira.create_issue(fields=task()).key
    emu.set_workflow(
        "CX",
        Workflow(
            "Two-step",
            initial=TO_DO,
            transitions=[
                Transition("101", "Begin", IN_PROGRESS_STATUS, sources=("To Do",)),
                Transition("102", "Finish", DONE_STATUS, sources=("In Progress",)),
            ],
        ),
    )
    assert [(t["id"], t["name"]) for t in jira.transitions(key)] == [("101", "Begin")]
    jira.transition_issue(key, "101")
    jira.transition_issue(key, "Finish")  # by name: the client looks the id up first
    assert jira.issue(key).fields.status.name == "Done"


def test_human_transitions_follow_the_workflow(emu: JiraEmulator, jira: JIRA) -> None:
    key = jira.create_issue(fields=task(project="OPS")).key
    alice = emu.human("alice@example.com")
    with pytest.raises(ValueError):
        alice.transition(key, "Done")
    alice.transition(key, "In Progress")
    alice.transition(key, "In Review")
    alice.transition(key, "Done", resolution={"name": "Done"})
    assert jira.issue(key).fields.status.name == "Done"


def test_multi_step_workflow_and_a_dead_end(emu: JiraEmulator, jira: JIRA) -> None:
    """Only the current status's transitions are offered; a terminal status offers none."""
    archived = Status("10020", "Archived", DONE)
    emu.add_project("ARC", "Archive", Workflow("Archive", initial=TO_DO, transitions=[
        Transition("11", "Start", IN_PROGRESS_STATUS, sources=("To Do",)),
        Transition("21", "Submit", IN_REVIEW, sources=("In Progress",)),
        Transition("31", "Approve", DONE_STATUS, sources=("In Review",)),
        Transition("41", "Archive", archived, sources=("Done",)),  # and no way out of Archived
    ]))
    key = jira.create_issue(fields=task(project="ARC")).key
    seen = []
    while offered := jira.transitions(key):
        [step] = offered
        seen.append((step["to"]["name"], step["to"]["statusCategory"]["key"]))
        jira.transition_issue(key, step["id"])
    assert seen == [("In Progress", "indeterminate"), ("In Review", "indeterminate"), ("Done", "done"),
                    ("Archived", "done")]
    assert jira.issue(key).fields.status.name == "Archived"
    with pytest.raises(JIRAError) as caught:
        jira.transition_issue(key, "11")
    assert caught.value.status_code == 400
