"""Jira Cloud's search index trails writes: the emulator models it, and our duplicate guard survives it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from jira import JIRA, JIRAError

from integrations.emulation import Fault, FaultPlan
from integrations.jira.emulator import ALICE_ID, JiraEmulator, ManualClock
from tests.integrations.jira.conftest import task
from tests.integrations.jira.test_client import CREATE, MARKER, item, tickets
from tracker.sync.ports import OutcomeUnknown, Transient

LAG = 30.0  # seconds on the emulator's (manual) clock
INTENT = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)  # the clock fixture's start: the create intent


def _keys(jira: JIRA, jql: str, **kw: object) -> list[str]:
    page = jira.enhanced_search_issues(jql, fields=["labels"], json_result=True, **kw)  # type: ignore[arg-type]
    assert isinstance(page, dict)
    return [i["key"] for i in page["issues"]]


# -- the emulator ----------------------------------------------------------------------------------
def test_new_and_changed_issues_are_missing_from_search_until_indexed(
    emu: JiraEmulator, jira: JIRA, clock: ManualClock
) -> None:
    emu.set_index_lag(LAG)
    old = jira.create_issue(fields=task("old", labels=["a"])).key
    clock.advance(seconds=LAG)
    new = jira.create_issue(fields=task("new", labels=["a"])).key
    assert _keys(jira, "labels = a") == [old]
    assert jira.issue(new).fields.summary == "new"  # GET /issue is read-after-write consistent
    clock.advance(seconds=LAG)
    assert _keys(jira, "labels = a ORDER BY key ASC") == [old, new]
    jira.issue(old).update(summary="old, edited")  # a change: out of the index until re-indexed
    assert _keys(jira, "labels = a") == [new]
    clock.advance(seconds=LAG)
    assert _keys(jira, "labels = a ORDER BY key ASC") == [old, new]


def test_reconcile_issues_brings_their_fresh_state_into_the_results(
    emu: JiraEmulator, jira: JIRA, clock: ManualClock
) -> None:
    emu.set_index_lag(LAG)
    first = jira.create_issue(fields=task("first", labels=["a"]))
    second = jira.create_issue(fields=task("second", labels=["b"]))
    assert _keys(jira, "labels = a") == []
    assert _keys(jira, "labels = a", reconcileIssues=[int(first.id)]) == [first.key]
    assert _keys(jira, "labels = a", reconcileIssues=[int(first.id)], use_post=True) == [first.key]
    # Reconciled issues still have to match the query.
    assert _keys(jira, "labels = a", reconcileIssues=[int(second.id)]) == []
    with pytest.raises(JIRAError) as caught:
        jira.enhanced_search_issues("labels = a", reconcileIssues=list(range(1, 52)), json_result=True)
    assert caught.value.status_code == 400


# -- the duplicate guard ---------------------------------------------------------------------------
def test_a_lost_create_is_found_although_search_does_not_show_it_yet(emu: JiraEmulator) -> None:
    emu.set_index_lag(LAG)
    jira = tickets(emu)
    emu.faults = FaultPlan(queued=[Fault.DROP_AFTER_WRITE], methods=("POST",), path_pattern=CREATE)
    with pytest.raises(OutcomeUnknown):
        jira.create(item(), marker=MARKER)
    found = jira.find_by_marker(MARKER, created_after=INTENT)
    assert found is not None and found.key == "CX-1" and found.title == "Fix the refund journey"


def test_the_guard_reads_past_other_new_and_deleted_issues(emu: JiraEmulator, clock: ManualClock) -> None:
    alice = emu.human(ALICE_ID)
    for n in range(3):  # older issues, indexed long ago
        alice.create("CX", f"Older {n}")
    clock.advance(minutes=30)
    emu.set_index_lag(LAG)
    intent = clock.now()
    alice.create("CX", "Someone else's, just before")  # CX-4
    doomed = alice.create("CX", "Created and deleted at once")  # CX-5
    emu.delete_issue(doomed)
    jira = tickets(emu)
    emu.faults = FaultPlan(queued=[Fault.DROP_AFTER_WRITE], methods=("POST",), path_pattern=CREATE)
    with pytest.raises(OutcomeUnknown):
        jira.create(item(), marker=MARKER)  # CX-6, not yet in the index
    alice.create("CX", "Someone else's, just after")  # CX-7
    jira.fetch("CX-1")  # the client's constructor call, out of the way
    emu.reset_calls()
    found = jira.find_by_marker(MARKER, created_after=intent)
    assert found is not None and found.key == "CX-6"
    # marker, base and window searches (+ one-off /field, /myself); reads CX-4, CX-5 (gone), CX-6
    assert (emu.call_count("GET", "/search/jql"), emu.call_count("GET", "/issue/{key}")) == (3, 3)
    emu.reset_calls()
    assert jira.find_by_marker("trk-99-ffffffff", created_after=intent) is None
    # reads CX-4 to CX-7, then three numbers that do not exist: the end of the project
    assert (emu.call_count("GET", "/search/jql"), emu.call_count("GET", "/issue/{key}")) == (3, 7)


def test_the_guard_finds_an_indexed_ticket_with_one_search(emu: JiraEmulator, clock: ManualClock) -> None:
    emu.set_index_lag(LAG)
    jira = tickets(emu)
    emu.faults = FaultPlan(queued=[Fault.DROP_AFTER_WRITE], methods=("POST",), path_pattern=CREATE)
    with pytest.raises(OutcomeUnknown):
        jira.create(item(), marker=MARKER)
    clock.advance(seconds=LAG)
    emu.reset_calls()
    assert jira.find_by_marker(MARKER, created_after=INTENT) is not None
    assert dict((k, n) for k, n in emu.calls.items() if n) == {"GET /field": 1, "GET /search/jql": 1}


def test_too_many_unindexed_issues_is_a_retry_later_not_a_guess(emu: JiraEmulator) -> None:
    emu.set_index_lag(LAG)
    alice = emu.human(ALICE_ID)
    for n in range(60):  # a burst nobody's index has caught up with
        alice.create("CX", f"Burst {n}")
    with pytest.raises(Transient) as caught:
        tickets(emu).find_by_marker(MARKER, created_after=INTENT)
    assert "search index" in str(caught.value)
