"""Issue CRUD through the real jira client: shapes, validation errors, auth and vendor-state faults."""

from __future__ import annotations

import re

import pytest
from jira import JIRA, JIRAError

from integrations.jira.emulator import ALICE_EMAIL, ALICE_ID, BOB_ID, BOT_ID, JiraEmulator, ManualClock
from tests.integrations.jira.conftest import task

JIRA_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$")


def test_constructor_takes_cloud_paths(emu: JiraEmulator, jira: JIRA) -> None:
    assert jira._is_cloud
    assert jira.server_info()["versionNumbers"] == [1001, 0, 0]
    assert jira.myself()["accountId"] == BOT_ID
    assert emu.call_count("GET", "/serverInfo") == 2  # constructor + explicit call


def test_create_then_read_back_every_field(emu: JiraEmulator, jira: JIRA) -> None:
    issue = jira.create_issue(
        fields=task(
            description="Customers abandon at step 3",
            labels=["tracker-a17", "cx"],
            duedate="2026-12-01",
            priority={"name": "High"},
            assignee={"accountId": ALICE_ID},
        )
    )
    assert issue.key == "CX-1"
    assert issue.self == f"{emu.url}/rest/api/2/issue/{issue.id}"
    fields = issue.fields
    assert fields.summary == "Fix the refund journey"
    assert fields.description == "Customers abandon at step 3"
    assert fields.labels == ["tracker-a17", "cx"]
    assert fields.duedate == "2026-12-01"
    assert fields.priority.name == "High"
    assert (fields.assignee.accountId, fields.assignee.displayName) == (ALICE_ID, "Alice Lead")
    assert fields.assignee.emailAddress == ALICE_EMAIL
    assert (fields.status.name, fields.status.statusCategory.key) == ("To Do", "new")
    assert fields.resolution is None
    assert fields.project.key == "CX" and fields.issuetype.name == "Task"
    assert fields.reporter.accountId == BOT_ID
    assert JIRA_TIME.match(fields.updated) and fields.updated == "2026-11-22T10:00:00.000+0000"
    assert emu.calls["POST /issue"] == 1 and emu.calls["GET /issue/{key}"] == 1  # create re-reads once


def test_update_fields_and_operations_bump_updated(emu: JiraEmulator, jira: JIRA, clock: ManualClock) -> None:
    issue = jira.create_issue(fields=task(labels=["a"]))
    clock.advance(minutes=5)
    issue.update(
        fields={"summary": "Renamed", "duedate": "2027-01-15"},
        update={"labels": [{"add": "b"}, {"remove": "a"}]},
    )
    assert issue.fields.summary == "Renamed"
    assert issue.fields.labels == ["b"]
    assert issue.fields.duedate == "2027-01-15"
    assert issue.fields.updated == "2026-11-22T10:05:00.000+0000"
    issue.update(fields={"assignee": {"accountId": BOB_ID}})
    assert issue.fields.assignee.accountId == BOB_ID
    issue.update(fields={"assignee": None})
    assert issue.fields.assignee is None


def test_transition_assign_and_comment_round_trip(emu: JiraEmulator, jira: JIRA) -> None:
    key = jira.create_issue(fields=task()).key
    by_target = {t["to"]["name"]: t["id"] for t in jira.transitions(key)}
    assert by_target == {"In Progress": "21", "Done": "31"}
    jira.transition_issue(key, by_target["In Progress"])
    assert jira.issue(key).fields.status.name == "In Progress"
    jira.transition_issue(key, "31")
    done = jira.issue(key)
    assert (done.fields.status.statusCategory.key, done.fields.resolution.name) == ("done", "Done")
    assert jira.assign_issue(key, ALICE_EMAIL)  # searches users by email, then PUT .../assignee
    assert jira.issue(key).fields.assignee.accountId == ALICE_ID
    assert emu.calls["GET /user/search"] == 1 and emu.calls["PUT /issue/{key}/assignee"] == 1
    comment = jira.add_comment(key, "Synced from the tracker")
    assert comment.author.accountId == BOT_ID
    assert [c.body for c in jira.comments(key)] == ["Synced from the tracker"]


def test_validation_errors_have_jiras_shape(jira: JIRA) -> None:
    cases = [
        (task(project="NOPE"), "project", "Specify a valid project ID or key"),
        (
            {"project": {"key": "CX"}, "issuetype": {"name": "Task"}},
            "summary",
            "You must specify a summary of the issue.",
        ),
        (task(priority={"name": "Urgent!!"}), "priority", "The priority selected is invalid."),
        (task(duedate="22/11/2026"), "duedate", "Error parsing date string: 22/11/2026"),
        (
            task(status={"name": "Done"}),
            "status",
            "Field 'status' cannot be set. It is not on the appropriate screen, or unknown.",
        ),
        (
            task(assignee={"name": "alice"}),
            "assignee",
            "'accountId' must be the only user identifying query parameter in GDPR strict mode.",
        ),
    ]
    for fields, field, message in cases:
        with pytest.raises(JIRAError) as caught:
            jira.create_issue(fields=fields)
        assert caught.value.status_code == 400
        assert caught.value.response.json() == {"errorMessages": [], "errors": {field: message}}


def test_reference_data_and_entity_properties(emu: JiraEmulator, jira: JIRA) -> None:
    assert [p.name for p in jira.priorities()][:3] == ["Highest", "High", "Medium"]
    assert {"summary", "duedate", "labels"} <= {f["id"] for f in jira.fields()}
    assert jira.project("OPS").name == "Operations"
    key = jira.create_issue(fields=task()).key
    jira.add_issue_property(key, "tracker", {"action_id": 17})
    assert jira.issue_property(key, "tracker").value.action_id == 17
    assert jira.issue(key, properties="tracker").raw["properties"] == {"tracker": {"action_id": 17}}


def test_revoked_token_answers_401(emu: JiraEmulator, jira: JIRA) -> None:
    key = jira.create_issue(fields=task()).key
    emu.revoke("tracker-bot@example.com")
    with pytest.raises(JIRAError) as caught:
        jira.issue(key)
    assert caught.value.status_code == 401
    with pytest.raises(JIRAError):
        emu.client()  # the constructor's serverInfo call fails too
    emu.restore("tracker-bot@example.com")
    assert jira.issue(key).key == key
    with pytest.raises(JIRAError) as caught:
        emu.client("tracker-bot@example.com", "wrong-token")
    assert caught.value.status_code == 401


def test_deleted_and_forbidden_issues_are_both_404(emu: JiraEmulator, jira: JIRA) -> None:
    gone = jira.create_issue(fields=task()).key
    hidden = jira.create_issue(fields=task(project="OPS")).key
    emu.delete_issue(gone)
    emu.forbid_project("OPS", "tracker-bot@example.com")
    for key in (gone, hidden):
        with pytest.raises(JIRAError) as caught:
            jira.issue(key)
        assert caught.value.status_code == 404
        assert caught.value.response.json()["errorMessages"] == [
            "Issue does not exist or you do not have permission to see it."
        ]
    assert emu.human("alice@example.com").account.account_id == ALICE_ID
    assert emu.issue(hidden).summary  # still there for others
    with pytest.raises(JIRAError) as caught:
        jira.project("OPS")
    assert caught.value.status_code == 404


def test_old_search_endpoint_is_gone(emu: JiraEmulator, jira: JIRA) -> None:
    with pytest.raises(JIRAError) as caught:
        jira._get_json("search", params={"jql": "project = CX"})
    assert caught.value.status_code == 410
    assert "/search/jql" in caught.value.text
