"""JQL search on /rest/api/2/search/jql: incremental queries, pagination, markers, rejections."""

from __future__ import annotations

import pytest
from jira import JIRA, JIRAError

from integrations.jira.emulator import JiraEmulator, ManualClock
from tests.integrations.jira.conftest import task


def _keys(issues: object) -> list[str]:
    return [issue.key for issue in issues]  # type: ignore[attr-defined]


def test_incremental_search_on_updated(emu: JiraEmulator, jira: JIRA, clock: ManualClock) -> None:
    alice = emu.human("alice@example.com")
    keys = [alice.create("CX", f"Finding {n}") for n in range(5)]
    clock.advance(minutes=10)  # 10:10
    alice.set_duedate(keys[1], "2026-12-24")
    clock.advance(minutes=1)
    alice.transition(keys[3], "In Progress")
    since = 'project = CX AND updated >= "2026/11/22 10:05" ORDER BY updated ASC'
    found = jira.search_issues(since, fields="summary,status,updated")
    assert _keys(found) == [keys[1], keys[3]]
    assert set(found[0].raw["fields"]) == {"summary", "status", "updated"}
    assert _keys(jira.search_issues('project = CX AND updated > "2026/11/22 10:10"')) == [keys[3]]
    assert _keys(jira.search_issues("project = CX AND updated >= -5m")) == [
        keys[3],
        keys[1],
    ]  # default: created DESC


def test_reconciling_k_changed_costs_one_search(emu: JiraEmulator, jira: JIRA, clock: ManualClock) -> None:
    alice = emu.human("alice@example.com")
    keys = [alice.create("CX", f"Finding {n}", labels=["tracker"]) for n in range(40)]
    clock.advance(minutes=3)
    for key in keys[:3]:
        alice.edit(key, summary=f"{key} edited")
    emu.reset_calls()
    changed = jira.search_issues('labels = tracker AND updated >= "2026/11/22 10:02"', maxResults=50)
    assert sorted(_keys(changed)) == sorted(keys[:3])
    assert [i.fields.summary for i in changed] == [f"{k} edited" for k in _keys(changed)]
    # One search, plus the client's one-off GET /field (it caches field names per JIRA instance).
    assert dict(emu.calls) == {"GET /field": 1, "GET /search/jql": 1}
    jira.search_issues('labels = tracker AND updated >= "2026/11/22 10:02"')
    assert emu.call_count() == 3


def test_pagination_over_more_than_100_issues(emu: JiraEmulator, jira: JIRA) -> None:
    bob = emu.human("bob@example.com")
    created = [bob.create("CX", f"Issue {n}") for n in range(150)]
    page = jira.enhanced_search_issues("project = CX ORDER BY key ASC", maxResults=500, json_result=True)
    assert len(page["issues"]) == 100 and page["isLast"] is False  # capped at 100
    rest = jira.enhanced_search_issues(
        "project = CX ORDER BY key ASC", nextPageToken=page["nextPageToken"], json_result=True
    )
    assert len(rest["issues"]) == 50 and rest["isLast"] is True and "nextPageToken" not in rest
    assert [i["key"] for i in page["issues"] + rest["issues"]] == created
    emu.reset_calls()
    everything = jira.enhanced_search_issues(
        "project = CX ORDER BY key DESC", maxResults=0
    )  # the client follows tokens
    assert _keys(everything) == created[::-1]
    assert emu.calls["GET /search/jql"] == 2
    with pytest.raises(JIRAError) as caught:
        jira.enhanced_search_issues("project = OPS", nextPageToken=page["nextPageToken"], json_result=True)
    assert caught.value.status_code == 400  # a token belongs to its query


def test_label_marker_key_and_project_lists(jira: JIRA) -> None:
    marked = jira.create_issue(fields=task(labels=["tracker-action-42"])).key
    other = jira.create_issue(fields=task(project="OPS")).key
    assert _keys(jira.search_issues('labels = "tracker-action-42"')) == [marked]
    assert _keys(jira.search_issues("labels in (nope, tracker-action-42)")) == [marked]
    assert _keys(jira.search_issues(f"key in ({marked}, {other}) ORDER BY key")) == [marked, other]
    assert _keys(jira.search_issues("project in (CX, OPS) ORDER BY created ASC")) == [marked, other]
    assert _keys(jira.search_issues("project = OPS AND statusCategory != done")) == [other]
    assert jira.search_issues('labels = "tracker-action-43"') == []
    jira.transition_issue(marked, "31")
    mine = "reporter = currentUser() AND issuetype = Task AND resolution = Done"
    assert _keys(jira.search_issues(mine)) == [marked]
    assert _keys(jira.search_issues("project in (CX, OPS) AND resolution is EMPTY")) == [other]


def test_post_variant_and_field_selection(jira: JIRA) -> None:
    key = jira.create_issue(fields=task(labels=["x"])).key
    result = jira.enhanced_search_issues("labels = x", fields=["labels"], use_post=True, json_result=True)
    assert result["issues"][0]["key"] == key and result["issues"][0]["fields"] == {"labels": ["x"]}


@pytest.mark.parametrize(
    ("jql", "message"),
    [
        ("sprint = 5", "Field 'sprint' does not exist or you do not have permission to view it."),
        (
            "project = ",
            "Error in the JQL Query: Expecting either a value, list or function but got the end",
        ),
        ("project = CX AND", "Error in the JQL Query: Expecting a field name but got the end of the query."),
        (
            'labels = "unterminated',
            "Error in the JQL Query: The quoted string starting at character 10 is not terminated.",
        ),
        ("project = NOPE", "The value 'NOPE' does not exist for the field 'project'."),
        ("key in (CX-999)", "An issue with key 'CX-999' does not exist for field 'key'."),
        ("labels > x", "The operator '>' is not supported by the 'labels' field."),
        ('updated >= "yesterday"', "Date value 'yesterday' for field 'updated' is invalid."),
        ("ORDER BY updated DESC", "Unbounded JQL queries are not allowed here."),
        ("project = CX ORDER BY labels", "Not able to sort using field 'labels'."),
    ],
)
def test_bad_jql_is_a_400_with_jiras_message(jira: JIRA, jql: str, message: str) -> None:
    with pytest.raises(JIRAError) as caught:
        jira.search_issues(jql)
    assert caught.value.status_code == 400
    assert caught.value.response.json()["errorMessages"][0].startswith(message.rstrip("."))


def test_forbidden_project_disappears_from_search(emu: JiraEmulator, jira: JIRA) -> None:
    jira.create_issue(fields=task(project="OPS"))
    emu.forbid_project("OPS")
    with pytest.raises(JIRAError) as caught:
        jira.search_issues("project = OPS")
    assert caught.value.status_code == 400
    assert jira.search_issues("statusCategory = new") == []
