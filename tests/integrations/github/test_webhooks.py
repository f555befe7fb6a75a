"""Signed `issues` webhooks: payloads, senders, redelivery, pausing, reordering, dropping."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

from github import Github

from integrations.github.emulator import GitHubEmulator, ManualClock
from integrations.github.emulator_webhooks import signature
from tests.integrations.github.conftest import REPO, Receiver

SECRET = "It's a Secret to Everybody"


def test_signature_matches_githubs_public_test_vector() -> None:
    expected = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert signature(SECRET, b"Hello, World!") == f"sha256={expected}"


def test_api_change_is_delivered_signed_with_bot_as_sender(
    emu: GitHubEmulator, gh: Github, receiver: Receiver
) -> None:
    emu.configure_webhook(receiver.url, SECRET)
    issue = gh.get_repo(REPO).create_issue("hooked", labels=["cx"])
    assert emu.drain_webhooks(5)
    [got] = receiver.received
    assert got.headers["X-GitHub-Event"] == "issues"
    assert got.headers["Content-Type"] == "application/json"
    mac = hmac.new(SECRET.encode(), got.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(got.headers["X-Hub-Signature-256"], f"sha256={mac}")
    payload = json.loads(got.body)
    assert payload["action"] == "opened"
    assert payload["issue"]["number"] == issue.number
    assert payload["issue"]["url"] == issue.url
    assert payload["repository"]["full_name"] == REPO
    assert payload["sender"]["login"] == "tracker-bot"
    assert got.headers["X-GitHub-Delivery"] == emu.deliveries[0].id
    assert emu.deliveries[0].state == "delivered"


def test_human_actions_emit_the_right_actions_and_sender(
    emu: GitHubEmulator, receiver: Receiver
) -> None:
    emu.configure_webhook(receiver.url, SECRET)
    number = emu.open_issue(REPO, "t", by="alice")
    milestone = emu.add_milestone(REPO, "M1")
    emu.edit_issue(REPO, number, by="bob", title="t2")
    emu.assign(REPO, number, "bob", "alice")
    emu.unassign(REPO, number, "bob", "alice")
    emu.add_label(REPO, number, "bob", "cx")
    emu.remove_label(REPO, number, "bob", "cx")
    emu.set_milestone(REPO, number, "bob", milestone)
    emu.set_milestone(REPO, number, "bob", None)
    emu.close_issue(REPO, number, by="bob")
    emu.reopen_issue(REPO, number, by="bob")
    emu.close_issue(REPO, number, by="bob")
    emu.close_issue(REPO, number, by="bob")  # already closed: no change, no event
    assert emu.drain_webhooks(5)
    actions = [action for _, action in receiver.events()]
    assert actions == ["opened", "edited", "assigned", "unassigned", "labeled", "unlabeled",
                       "milestoned", "demilestoned", "closed", "reopened", "closed"]
    bodies = [json.loads(r.body) for r in receiver.received]
    assert bodies[1]["changes"] == {"title": {"from": "t"}}
    assert bodies[1]["sender"]["login"] == "bob"
    assert bodies[2]["assignee"]["login"] == "alice"
    assert bodies[4]["label"]["name"] == "cx"
    assert bodies[-1]["issue"]["state"] == "closed"


def test_human_change_bumps_updated_at() -> None:
    clock = ManualClock(datetime(2025, 1, 6, tzinfo=UTC))
    with GitHubEmulator(now=clock.now) as emu:
        number = emu.open_issue(REPO, "t", by="alice")
        clock.advance(3600)
        emu.close_issue(REPO, number, by="bob")
        issue = emu.client().get_repo(REPO).get_issue(number)
        assert issue.created_at == datetime(2025, 1, 6, tzinfo=UTC)
        assert issue.updated_at == issue.closed_at == datetime(2025, 1, 6, 1, tzinfo=UTC)
        assert issue.closed_by.login == "bob"


def test_redelivery_keeps_the_delivery_id_and_body(emu: GitHubEmulator, receiver: Receiver) -> None:
    emu.configure_webhook(receiver.url, SECRET)
    emu.open_issue(REPO, "t", by="alice")
    assert emu.drain_webhooks(5)
    first = emu.deliveries[0]
    emu.redeliver(first.id)
    assert emu.drain_webhooks(5)
    one, two = receiver.received
    assert one.headers["X-GitHub-Delivery"] == two.headers["X-GitHub-Delivery"] == first.id
    assert one.body == two.body
    assert [a.redelivery for a in first.attempts] == [False, True]


def test_paused_webhooks_can_be_reordered_and_dropped(
    emu: GitHubEmulator, receiver: Receiver
) -> None:
    emu.configure_webhook(receiver.url, SECRET)
    emu.pause_webhooks()
    number = emu.open_issue(REPO, "t", by="alice")
    emu.close_issue(REPO, number, by="alice")
    emu.reopen_issue(REPO, number, by="alice")
    assert not emu.drain_webhooks(0.1)  # paused: nothing leaves
    assert receiver.received == []
    opened, closed, reopened = emu.webhooks.pending()
    emu.webhooks.drop(closed.id)  # a missed webhook
    emu.webhooks.reorder([reopened.id, opened.id])  # out of order
    emu.resume_webhooks()
    assert emu.drain_webhooks(5)
    assert [action for _, action in receiver.events()] == ["reopened", "opened"]
    assert closed.state == "dropped"


def test_drop_next_and_failed_deliveries_are_logged(
    emu: GitHubEmulator, receiver: Receiver
) -> None:
    emu.configure_webhook(receiver.url, SECRET)
    emu.webhooks.drop_next(1)
    number = emu.open_issue(REPO, "t", by="alice")
    receiver.status = 500
    emu.close_issue(REPO, number, by="alice")
    assert emu.drain_webhooks(5)
    dropped, failed = emu.deliveries
    assert dropped.state == "dropped"
    assert failed.state == "failed" and failed.attempts[0].status == 500
    receiver.status = 200
    emu.redeliver(failed.id)  # GitHub never retries on its own; a human presses Redeliver
    assert emu.drain_webhooks(5)
    assert failed.state == "delivered"


def test_deleted_and_transferred_emit_events(emu: GitHubEmulator, receiver: Receiver) -> None:
    emu.configure_webhook(receiver.url, SECRET)
    first = emu.open_issue(REPO, "a", by="alice")
    second = emu.open_issue(REPO, "b", by="alice")
    emu.delete_issue(REPO, first)
    new_number = emu.transfer_issue(REPO, second, "acme/other")
    assert emu.drain_webhooks(5)
    bodies = [json.loads(r.body) for r in receiver.received]
    assert [b["action"] for b in bodies] == ["opened", "opened", "deleted", "transferred"]
    changes = bodies[-1]["changes"]
    assert changes["new_issue"]["number"] == new_number
    assert changes["new_repository"]["full_name"] == "acme/other"


def test_same_state_patch_is_a_no_op_without_webhook(
    emu: GitHubEmulator, gh: Github, receiver: Receiver
) -> None:
    emu.configure_webhook(receiver.url, SECRET)
    issue = gh.get_repo(REPO).create_issue("t", body="b")
    before = emu.issue(REPO, issue.number).updated_at
    issue.edit(title="t", body="b", state="open")  # what an echo-unaware sync might send
    issue.edit(title="t2", state="closed")  # two kinds of change: two events
    assert emu.drain_webhooks(5)
    assert [action for _, action in receiver.events()] == ["opened", "edited", "closed"]
    assert emu.issue(REPO, issue.number).updated_at >= before
    senders = {json.loads(r.body)["sender"]["login"] for r in receiver.received}
    assert senders == {"tracker-bot"}
