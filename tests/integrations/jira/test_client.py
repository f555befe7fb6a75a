"""JiraTickets through the real `jira` client against the emulator: fields, workflows, faults, costs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from integrations.emulation import Fault, FaultPlan
from integrations.jira.client import JiraTickets
from integrations.jira.emulator import ALICE_ID, BOB_ID, BOT_EMAIL, BOT_TOKEN, JiraEmulator, ManualClock
from tracker.actions.models import Phase, Priority
from tracker.sync.ports import (
    AccessRevoked,
    Connection,
    OutcomeUnknown,
    Rejected,
    TargetSpec,
    TicketFields,
    TicketGone,
    Transient,
    WorkflowBlocked,
)

MARKER = "trk-12-a1b2c3d4"
CREATE = r"/rest/api/2/issue$"
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def tickets(emu: JiraEmulator, project: str = "CX", mapping: dict[str, Any] | None = None, **kw: Any) -> JiraTickets:
    connection = Connection("jira", emu.url, BOT_EMAIL, BOT_TOKEN)
    options = {"timeout": 2.0, "max_retries": 1, "max_retry_delay": 0.05, **kw}
    return JiraTickets(TargetSpec("jira", project, mapping=mapping or {}), connection, **options)


def item(**changes: Any) -> TicketFields:
    values: dict[str, Any] = {
        "title": "Fix the refund journey",
        "body": "Customers wait 3 weeks for refunds.",
        "phase": Phase.planned,
        "assignee": ALICE_ID,
        "due": date(2026, 12, 1),
        "priority": Priority.urgent,
    }
    return TicketFields(**{**values, **changes})


def calls(emu: JiraEmulator) -> dict[str, int]:
    return {name: n for name, n in emu.calls.items() if n}


# -- create / fetch / update -----------------------------------------------------------------------
def test_create_is_one_post_with_every_field(emu: JiraEmulator) -> None:
    jira = tickets(emu)
    ticket = jira.create(item(), marker=MARKER)
    assert calls(emu) == {"GET /serverInfo": 1, "POST /issue": 1}
    stored = emu.issue(ticket.key)
    assert stored.labels == ["tracker", MARKER]
    assert (stored.summary, stored.description) == ("Fix the refund journey", "Customers wait 3 weeks for refunds.")
    assert (stored.duedate, stored.priority.name, stored.assignee) == (date(2026, 12, 1), "Highest", ALICE_ID)
    assert (stored.status.name, stored.issue_type.name) == ("To Do", "Task")
    assert ticket.key == "CX-1" and ticket.url == f"{emu.url}/browse/CX-1"
    assert ticket.synced() == {
        "title": "Fix the refund journey", "phase": "planned", "assignee": ALICE_ID,
        "due": "2026-12-01", "priority": "urgent",
    }  # fmt: skip
    assert jira.fetch(ticket.key).synced() == ticket.synced()
    emu.reset_calls()
    jira.create(item(assignee=None, due=None, priority=Priority.low), marker="trk-13-00000000")
    assert calls(emu) == {"POST /issue": 1}  # the client is reused
    assert (emu.issue("CX-2").assignee, emu.issue("CX-2").duedate) == (None, None)


def test_create_in_a_later_phase_moves_the_new_ticket(emu: JiraEmulator) -> None:
    ticket = tickets(emu).create(item(phase=Phase.implementing), marker=MARKER)
    assert (ticket.status, ticket.phase) == ("In Progress", Phase.implementing)
    assert emu.issue(ticket.key).status.name == "In Progress"
    assert calls(emu) == {
        "GET /serverInfo": 1, "POST /issue": 1, "GET /issue/{key}/transitions": 1,
        "POST /issue/{key}/transitions": 1,
    }  # fmt: skip


def test_create_where_the_workflow_cannot_follow_still_returns_the_ticket(emu: JiraEmulator) -> None:
    ticket = tickets(emu, "OPS").create(item(phase=Phase.cancelled), marker=MARKER)
    assert (ticket.key, ticket.status, ticket.phase) == ("OPS-1", "To Do", Phase.planned)  # the truth


def test_fetch_maps_what_people_changed(emu: JiraEmulator) -> None:
    jira = tickets(emu)
    key = jira.create(item(), marker=MARKER).key
    alice = emu.human(ALICE_ID)
    alice.transition(key, "In Progress")
    alice.assign(key, BOB_ID)
    alice.edit(key, priority={"name": "Lowest"}, duedate=None, summary="Refunds in 3 days")
    emu.reset_calls()
    ticket = jira.fetch(key)
    assert calls(emu) == {"GET /issue/{key}": 1}
    assert (ticket.title, ticket.status, ticket.phase) == ("Refunds in 3 days", "In Progress", Phase.implementing)
    assert (ticket.assignee, ticket.due, ticket.priority) == (BOB_ID, None, None)  # Lowest maps to none
    assert ticket.updated_at == emu.issue(key).updated


def test_update_of_plain_fields_is_one_read_and_one_put(emu: JiraEmulator) -> None:
    jira = tickets(emu)
    key = jira.create(item(), marker=MARKER).key
    emu.reset_calls()
    wanted = item(title="Refunds within a week", assignee=BOB_ID, due=date(2027, 1, 15), priority=Priority.medium)
    ticket = jira.update(key, wanted, {"title", "assignee", "due", "priority"})
    assert calls(emu) == {"GET /issue/{key}": 1, "PUT /issue/{key}": 1}
    assert ticket.synced() == jira.fetch(key).synced() == {
        "title": "Refunds within a week", "phase": "planned", "assignee": BOB_ID,
        "due": "2027-01-15", "priority": "medium",
    }  # fmt: skip
    jira.update(key, item(assignee=None, due=None), {"assignee", "due"})
    stored = emu.issue(key)
    assert (stored.assignee, stored.duedate, stored.summary) == (None, None, "Refunds within a week")
    emu.reset_calls()
    history = len(stored.histories)
    jira.update(key, item(title="Refunds within a week", assignee=None, due=None), {"title", "assignee", "due"})
    assert calls(emu) == {"GET /issue/{key}": 1} and len(stored.histories) == history  # already so: no write


def test_update_reports_the_real_status(emu: JiraEmulator) -> None:
    jira = tickets(emu, "OPS")
    key = jira.create(item(phase=Phase.implementing), marker=MARKER).key
    emu.human(BOB_ID).transition(key, "In Review")  # maps to implementing too
    ticket = jira.update(key, item(phase=Phase.implementing, title="Renamed"), {"title"})
    assert (ticket.status, ticket.phase, ticket.title) == ("In Review", Phase.implementing, "Renamed")


def test_phase_round_trip_on_the_simple_workflow(emu: JiraEmulator) -> None:
    jira = tickets(emu)
    key = jira.create(item(), marker=MARKER).key
    for phase, status in [
        (Phase.implementing, "In Progress"), (Phase.done, "Done"), (Phase.planned, "To Do"),
        (Phase.cancelled, "Done"),
    ]:  # fmt: skip
        emu.reset_calls()
        ticket = jira.update(key, item(phase=phase), {"phase"})
        assert (ticket.status, emu.issue(key).status.name) == (status, status)
        assert calls(emu) == {
            "GET /issue/{key}": 1, "GET /issue/{key}/transitions": 1, "POST /issue/{key}/transitions": 1,
        }  # fmt: skip
    emu.reset_calls()
    assert jira.update(key, item(phase=Phase.done), {"phase"}).status == "Done"  # already there
    assert calls(emu) == {"GET /issue/{key}": 1}


def test_transition_demanding_a_resolution(emu: JiraEmulator) -> None:
    mapping: dict[str, Any] = {"status_for_phase": {"training": "In Review"}}
    jira = tickets(emu, "OPS", mapping)
    key = jira.create(item(phase=Phase.implementing), marker=MARKER).key
    assert jira.update(key, item(phase=Phase.training), {"phase"}).status == "In Review"
    with pytest.raises(WorkflowBlocked) as caught:
        jira.update(key, item(phase=Phase.done, title="Renamed"), {"phase", "title"})
    assert caught.value.field == "resolution"
    assert "demands 'Resolution' (resolution)" in str(caught.value)
    assert (emu.issue(key).status.name, emu.issue(key).summary) == ("In Review", "Renamed")
    filled = tickets(emu, "OPS", {**mapping, "transition_fields": {"Done": {"resolution": {"name": "Done"}}}})
    assert filled.update(key, item(phase=Phase.done), {"phase"}).phase is Phase.done
    resolution = emu.issue(key).resolution
    assert resolution is not None and resolution.name == "Done"


def test_refused_values_name_the_field(emu: JiraEmulator) -> None:
    jira = tickets(emu, mapping={"priority_for": {"urgent": "Blocker"}})
    with pytest.raises(Rejected) as caught:
        jira.create(item(), marker=MARKER)
    assert caught.value.field == "priority" and emu.issues() == []
    key = jira.create(item(priority=Priority.high), marker=MARKER).key
    with pytest.raises(Rejected) as caught:
        jira.update(key, item(assignee="712020:nobody"), {"assignee"})
    assert caught.value.field == "assignee" and "does not exist" in str(caught.value)


# -- duplicates and faults ------------------------------------------------------------------------
def _faults(*faults: Fault, methods: tuple[str, ...] = ("POST",), path: str = CREATE, wait: float = 2.0) -> FaultPlan:
    return FaultPlan(queued=list(faults), methods=methods, path_pattern=path, timeout_seconds=wait)


def test_timeout_after_the_write_is_found_by_marker(emu: JiraEmulator) -> None:
    jira = tickets(emu, timeout=0.3)
    emu.faults = _faults(Fault.TIMEOUT_AFTER_WRITE, wait=0.6)
    with pytest.raises(OutcomeUnknown):
        jira.create(item(), marker=MARKER)
    assert jira.find_by_marker("trk-99-ffffffff", created_after=EPOCH) is None
    found = jira.find_by_marker(MARKER, created_after=EPOCH)
    assert found is not None and found.key == "CX-1" and found.synced()["title"] == "Fix the refund journey"
    assert len(emu.issues()) == 1


def test_dropped_reply_to_a_create_is_not_resent(emu: JiraEmulator) -> None:
    jira = tickets(emu, max_retries=3)
    emu.faults = _faults(Fault.DROP_AFTER_WRITE)
    with pytest.raises(OutcomeUnknown):
        jira.create(item(), marker=MARKER)
    assert [i.key for i in emu.issues()] == ["CX-1"] and emu.calls["POST /issue"] == 1
    assert jira.find_by_marker(MARKER, created_after=EPOCH) is not None
    emu.faults = _faults(Fault.DROP_AFTER_WRITE, path=r"/transitions$")  # transitions are not re-sent either
    with pytest.raises(OutcomeUnknown):
        jira.update("CX-1", item(phase=Phase.done), {"phase"})
    assert emu.calls["POST /issue/{key}/transitions"] == 1 and emu.issue("CX-1").status.name == "Done"
    assert jira.update("CX-1", item(phase=Phase.done), {"phase"}).status == "Done"  # the retry is a no-op


def test_busy_or_limited_jira_is_transient_with_retry_after(emu: JiraEmulator) -> None:
    jira = tickets(emu, max_retries=1)
    key = jira.create(item(), marker=MARKER).key
    emu.fault_retry_after = 7
    emu.faults = _faults(Fault.SERVER_ERROR)  # before the write: nothing created, no re-send
    with pytest.raises(Transient) as caught:
        jira.create(item(), marker="trk-13-00000000")
    assert not isinstance(caught.value, OutcomeUnknown) and caught.value.retry_after == 7
    assert len(emu.issues()) == 1 and len(emu.faults.injected) == 1
    emu.faults = _faults(Fault.RATE_LIMITED, Fault.RATE_LIMITED, methods=("GET",), path="")
    with pytest.raises(Transient) as caught:
        jira.fetch(key)  # one retry by the session, then the caller gets the 429
    assert caught.value.retry_after == 7
    emu.faults = _faults(Fault.RATE_LIMITED, methods=("GET",), path="")
    assert jira.fetch(key).key == key  # a single 429 on a read is retried by the session


def test_revoked_token(emu: JiraEmulator) -> None:
    emu.revoke(BOT_EMAIL)
    with pytest.raises(AccessRevoked):
        tickets(emu).fetch("CX-1")  # the constructor's serverInfo answers 401
    emu.restore(BOT_EMAIL)
    jira = tickets(emu)
    key = jira.create(item(), marker=MARKER).key
    emu.revoke(BOT_EMAIL)
    for call in (lambda: jira.fetch(key), lambda: jira.update(key, item(title="x"), {"title"}),
                 lambda: jira.changed_since(None), lambda: jira.create(item(), marker=MARKER)):  # fmt: skip
        with pytest.raises(AccessRevoked) as caught:
            call()
        assert "bot-token" not in str(caught.value) and "401" in str(caught.value)


def test_deleted_or_forbidden_is_gone(emu: JiraEmulator) -> None:
    jira = tickets(emu)
    first = jira.create(item(), marker=MARKER).key
    second = jira.create(item(), marker="trk-13-00000000").key
    emu.delete_issue(first)
    with pytest.raises(TicketGone) as caught:
        jira.fetch(first)
    assert "deleted or no longer visible" in str(caught.value)
    with pytest.raises(TicketGone):
        jira.update(first, item(title="x"), {"title"})
    emu.forbid_project("CX", BOT_EMAIL)
    with pytest.raises(TicketGone):
        jira.update(second, item(phase=Phase.done), {"phase"})


# -- reconciliation cost ---------------------------------------------------------------------------
def test_changed_since_costs_about_one_search_per_hundred_changed(emu: JiraEmulator, clock: ManualClock) -> None:
    alice = emu.human(ALICE_ID)
    keys = []
    for n in range(250):  # created over 25 minutes, 10 a minute
        keys.append(alice.create("CX", f"Finding {n}", labels=["tracker", f"trk-{n}-00000000"]))
        if n % 10 == 9:
            clock.advance(minutes=1)
    alice.create("CX", "Not ours")
    jira = tickets(emu)
    everything = jira.changed_since(None)
    assert [t.key for t in everything.tickets] == keys
    assert calls(emu) == {"GET /serverInfo": 1, "GET /field": 1, "GET /search/jql": 3}
    clock.advance(minutes=30)
    for key in (keys[5], keys[100], keys[200]):
        alice.set_summary(key, f"{key} edited")
    emu.reset_calls()
    changed = jira.changed_since(everything.watermark)
    assert calls(emu) == {"GET /search/jql": 1, "GET /myself": 1}  # /myself: the bot's zone, once
    edited = [t.key for t in changed.tickets if t.title.endswith("edited")]
    assert edited == [keys[5], keys[100], keys[200]] and changed.tickets[-3:] == [
        t for t in changed.tickets if t.key in edited
    ]
    assert len(changed.tickets) <= 23  # the overlap re-reads the last ~2 minutes of the previous batch
    emu.reset_calls()
    again = jira.changed_since(changed.watermark)
    assert calls(emu) == {"GET /search/jql": 1}
    assert [t.key for t in again.tickets] == edited and again.watermark == changed.watermark
    assert jira.changed_since(again.watermark).watermark == again.watermark
