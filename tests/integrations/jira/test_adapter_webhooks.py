"""integrations.jira.webhooks: signatures and notices, on recorded-shape payloads and emulator deliveries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jira import JIRA

from integrations.jira.emulator import ALICE_ID, BOT_ID, JiraEmulator, sign
from integrations.jira.webhooks import CODEC, parse_notice, verify_signature
from tests.integrations.jira.conftest import HOOK_SECRET, HookReceiver, task

PAYLOADS = Path(__file__).parent / "payloads"
HEADERS = {"X-Atlassian-Webhook-Identifier": "c0ffee-1", "Content-Type": "application/json"}


def payload(name: str) -> bytes:
    return (PAYLOADS / name).read_bytes()


def test_signature_good_bad_missing() -> None:
    body = payload("issue_updated.json")
    good = sign(HOOK_SECRET, body)
    assert verify_signature(HOOK_SECRET, body, good)
    assert verify_signature(HOOK_SECRET, body, good.upper().replace("SHA256=", "sha256="))  # hex case
    assert not verify_signature("other-secret", body, good)
    assert not verify_signature(HOOK_SECRET, body + b" ", good)
    for header in (None, "", "sha256=", good.removeprefix("sha256="), "sha1=" + good[7:], "sha256=zz\u00e9"):
        assert not verify_signature(HOOK_SECRET, body, header)
    assert not verify_signature("", body, sign("", body))  # no secret configured: nothing verifies
    assert CODEC.signature_header == "X-Hub-Signature" and CODEC.verify(HOOK_SECRET, body, good)


def test_parse_recorded_shapes() -> None:
    updated = parse_notice(HEADERS, payload("issue_updated.json"))
    assert (updated.delivery_id, updated.ticket_key, updated.project, updated.actor, updated.event) == (
        "c0ffee-1", "CX-12", "CX", "712020:alice", "jira:issue_updated",
    )  # fmt: skip
    created = parse_notice({"x-atlassian-webhook-identifier": "c0ffee-2"}, payload("issue_created.json"))
    assert (created.ticket_key, created.project, created.actor) == ("OPS-7", "OPS", "712020:tracker-bot")
    deleted = parse_notice(HEADERS, payload("issue_deleted.json"))
    assert (deleted.event, deleted.ticket_key) == ("jira:issue_deleted", "CX-12")


def test_delivery_id_falls_back_to_a_stable_digest() -> None:
    body = payload("issue_updated.json")
    first, again = parse_notice({}, body), parse_notice({}, body)
    assert first.delivery_id == again.delivery_id and first.delivery_id.startswith("sha256:")


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'{"issue": {"key": "CX-1"}}',
        b'{"webhookEvent": "jira:issue_updated"}',
        b'{"webhookEvent": "jira:issue_updated", "issue": {"id": "10001"}}',
        b"\xff\xfe",
    ],
)
def test_bodies_that_are_not_issue_events(body: bytes) -> None:
    with pytest.raises(ValueError):
        parse_notice(HEADERS, body)


def test_non_issue_events_give_a_notice_without_a_ticket() -> None:
    notice = parse_notice(HEADERS, payload("project_created.json"))
    assert (notice.ticket_key, notice.project, notice.delivery_id) == (None, None, "c0ffee-1")
    link = parse_notice(HEADERS, b'{"webhookEvent": "issuelink_created", "issueLink": {"id": 1}}')
    assert (link.event, link.ticket_key) == ("issuelink_created", None)


def test_emulator_deliveries_verify_and_redeliver_with_the_same_id(
    emu: JiraEmulator, jira: JIRA, receiver: HookReceiver
) -> None:
    key = jira.create_issue(fields=task()).key
    emu.human(ALICE_ID).transition(key, "In Progress")
    assert emu.webhooks.drain(timeout=5)
    emu.webhooks.redeliver(emu.webhooks.log[1].identifier)
    assert emu.webhooks.drain(timeout=5)
    notices = []
    for request in receiver.received:
        assert verify_signature(HOOK_SECRET, request.body, request.headers.get("x-hub-signature"))
        notices.append(parse_notice(request.headers, request.body))
    assert [(n.ticket_key, n.project, n.actor, n.event) for n in notices] == [
        (key, "CX", BOT_ID, "jira:issue_created"),  # our own echo: the caller ignores BOT_ID
        (key, "CX", ALICE_ID, "jira:issue_updated"),
        (key, "CX", ALICE_ID, "jira:issue_updated"),
    ]
    assert notices[1].delivery_id == notices[2].delivery_id != notices[0].delivery_id
    assert json.loads(receiver.received[2].body) == json.loads(receiver.received[1].body)
