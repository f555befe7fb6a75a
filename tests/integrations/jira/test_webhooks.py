"""Webhooks: signed bodies, stable identifiers, who acted, and the delivery misbehaviours tests need."""

from __future__ import annotations

import hashlib
import hmac
import json

from jira import JIRA

from integrations.jira.emulator import ALICE_ID, BOT_ID, JiraEmulator
from tests.integrations.jira.conftest import HOOK_SECRET, HookReceiver, task


def _payloads(receiver: HookReceiver) -> list[dict]:
    return [json.loads(r.body) for r in receiver.received]


def test_signature_verifies_and_payload_has_jiras_shape(
    emu: JiraEmulator, jira: JIRA, receiver: HookReceiver
) -> None:
    key = jira.create_issue(fields=task()).key
    jira.transition_issue(key, "21")
    assert emu.webhooks.drain(timeout=5)
    created, moved = receiver.received
    for request in (created, moved):
        expected = "sha256=" + hmac.new(HOOK_SECRET.encode(), request.body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(request.headers["x-hub-signature"], expected)
        assert request.headers["content-type"].startswith("application/json")
    body = json.loads(moved.body)
    assert body["webhookEvent"] == "jira:issue_updated" and body["issue_event_type_name"] == "issue_generic"
    assert body["user"]["accountId"] == BOT_ID  # our own change: the tracker must ignore its echo
    assert body["issue"]["key"] == key and body["issue"]["fields"]["status"]["name"] == "In Progress"
    item = body["changelog"]["items"][0]
    assert {k: item[k] for k in ("field", "fieldtype", "fromString", "toString")} == {
        "field": "status", "fieldtype": "jira", "fromString": "To Do", "toString": "In Progress",
    }  # fmt: skip
    assert isinstance(body["timestamp"], int) and body["changelog"]["id"]
    assert json.loads(created.body)["webhookEvent"] == "jira:issue_created"


def test_human_changes_name_the_human(emu: JiraEmulator, jira: JIRA, receiver: HookReceiver) -> None:
    key = jira.create_issue(fields=task()).key
    alice = emu.human("alice@example.com")
    alice.assign(key, "bob@example.com")
    alice.set_duedate(key, "2026-12-31")
    alice.delete(key)
    assert emu.webhooks.drain(timeout=5)
    events = _payloads(receiver)[1:]
    assert [e["issue_event_type_name"] for e in events] == [
        "issue_assigned",
        "issue_updated",
        "issue_deleted",
    ]
    assert {e["user"]["accountId"] for e in events} == {ALICE_ID}
    due = events[1]["changelog"]["items"][0]
    assert (due["field"], due["to"], due["toString"]) == ("duedate", "2026-12-31", "2026-12-31 00:00:00.0")
    assert events[2]["webhookEvent"] == "jira:issue_deleted"


def test_redelivery_keeps_the_identifier(emu: JiraEmulator, jira: JIRA, receiver: HookReceiver) -> None:
    jira.create_issue(fields=task())
    assert emu.webhooks.drain(timeout=5)
    first = emu.webhooks.log[0]
    emu.webhooks.redeliver(first.identifier)
    assert emu.webhooks.drain(timeout=5)
    one, two = receiver.received
    assert (
        one.headers["x-atlassian-webhook-identifier"]
        == two.headers["x-atlassian-webhook-identifier"]
        == first.identifier
    )
    assert one.body == two.body


def test_failed_delivery_is_retried_with_the_same_identifier(
    emu: JiraEmulator, jira: JIRA, receiver: HookReceiver
) -> None:
    receiver.fail_next = 2
    jira.create_issue(fields=task())
    assert emu.webhooks.drain(timeout=5)
    delivery = emu.webhooks.log[0]
    assert [a.status for a in delivery.attempts] == [500, 500, 204] and delivery.state == "delivered"
    assert len(receiver.received) == 1
    assert receiver.received[0].headers["x-atlassian-webhook-identifier"] == delivery.identifier


def test_paused_reordered_and_dropped_deliveries(
    emu: JiraEmulator, jira: JIRA, receiver: HookReceiver
) -> None:
    key = jira.create_issue(fields=task()).key
    assert emu.webhooks.drain(timeout=5)
    emu.webhooks.pause()
    bob = emu.human("bob@example.com")
    bob.transition(key, "In Progress")
    emu.webhooks.drop_next()  # this one is missed: only a reconciliation would notice
    bob.set_summary(key, "Renamed")
    bob.transition(key, "Done")
    assert not emu.webhooks.drain(timeout=0.2)  # paused: still queued
    emu.webhooks.reverse_pending()
    emu.webhooks.resume()
    assert emu.webhooks.drain(timeout=5)
    statuses = [e["issue"]["fields"]["status"]["name"] for e in _payloads(receiver)[1:]]
    assert statuses == ["Done", "In Progress"]  # stale event arrives last: re-read, don't trust it
    assert [d.state for d in emu.webhooks.log] == ["delivered", "delivered", "dropped", "delivered"]
    assert jira.issue(key).fields.summary == "Renamed"


def test_without_a_url_events_are_logged_not_sent(emu: JiraEmulator, jira: JIRA) -> None:
    jira.create_issue(fields=task())
    assert [(d.event, d.state) for d in emu.webhooks.log] == [("jira:issue_created", "unsent")]
    assert emu.webhooks.log[0].payload["issue"]["key"] == "CX-1"
