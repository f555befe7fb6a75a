"""The adapter's webhook functions: signature check and notices, on recorded-shape payloads
(tests/integrations/github/payloads/) and on real signed deliveries from the emulator."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest

from integrations.github.emulator import GitHubEmulator
from integrations.github.webhooks import parse_notice, verify_signature
from tests.integrations.github.conftest import REPO, Receiver
from tracker.sync.ports import InboundNotice

PAYLOADS = Path(__file__).parent / "payloads"
SECRET = "It's a Secret to Everybody"
VECTOR = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def headers(event: str, delivery: str = "72d3162e-cc78-11e3-81ab-4c9367dc0958") -> dict[str, str]:
    return {"X-GitHub-Event": event, "X-GitHub-Delivery": delivery}


def test_githubs_public_signature_vector() -> None:
    assert verify_signature(SECRET, b"Hello, World!", f"sha256={VECTOR}")
    assert verify_signature(SECRET, b"Hello, World!", f"sha256={VECTOR.upper()}")


@pytest.mark.parametrize("header", [
    None, "", VECTOR, f"sha1={VECTOR}", f"sha256={VECTOR[:-1]}", f"sha256={VECTOR[:-1]}0",
    f"sha256={VECTOR[:-2]}zz", "sha256=", f"sha256={VECTOR}00",
])
def test_missing_malformed_or_wrong_signatures_fail(header: str | None) -> None:
    assert not verify_signature(SECRET, b"Hello, World!", header)


def test_other_body_or_secret_fails() -> None:
    assert not verify_signature(SECRET, b"Hello, World?", f"sha256={VECTOR}")
    assert not verify_signature("another secret", b"Hello, World!", f"sha256={VECTOR}")
    assert not verify_signature("", b"Hello, World!", f"sha256={VECTOR}")


@pytest.mark.parametrize(("event", "file", "expected"), [
    ("issues", "issues_opened.json",
     InboundNotice("d-1", "1", "acme/cx", "tracker-bot", "issues.opened")),
    ("issues", "issues_closed_not_planned.json",
     InboundNotice("d-1", "1", "acme/cx", "alice", "issues.closed")),
    # The old number: re-reading it tells the sync the issue moved away.
    ("issues", "issues_transferred.json",
     InboundNotice("d-1", "1", "acme/cx", "alice", "issues.transferred")),
    # A comment on a pull request: never one of our tickets.
    ("issue_comment", "issue_comment_on_pull_request.json",
     InboundNotice("d-1", None, "acme/cx", "alice", "issue_comment.created")),
    ("ping", "ping.json", InboundNotice("d-1", None, "acme/cx", "octocat", "ping")),
])
def test_recorded_payloads(event: str, file: str, expected: InboundNotice) -> None:
    body = (PAYLOADS / file).read_bytes()
    assert parse_notice(headers(event, "d-1"), body) == expected


def test_events_we_do_not_sync_name_no_ticket() -> None:
    body = (PAYLOADS / "issues_opened.json").read_bytes()  # issue-shaped, but a label event
    notice = parse_notice(headers("label", "d-2"), body)
    assert notice.ticket_key is None and notice.event == "label.opened"


def test_header_names_are_case_insensitive_and_delivery_is_required() -> None:
    body = (PAYLOADS / "issues_opened.json").read_bytes()
    notice = parse_notice({"x-github-event": "issues", "x-github-delivery": "d-3"}, body)
    assert (notice.delivery_id, notice.ticket_key) == ("d-3", "1")
    with pytest.raises(ValueError):
        parse_notice({"X-GitHub-Event": "issues"}, body)
    with pytest.raises(ValueError):
        parse_notice(headers("issues"), b"[1, 2]")
    with pytest.raises(ValueError):
        parse_notice(headers("issues"), b"not json")


def test_real_deliveries_verify_and_parse(emu: GitHubEmulator, receiver: Receiver) -> None:
    emu.configure_webhook(receiver.url, SECRET)
    number = emu.open_issue(REPO, "t", by="alice", labels=["tracker"])
    emu.comment(REPO, number, by="bob", body="done?")
    emu.close_issue(REPO, number, by="bob")
    assert emu.drain_webhooks(5)
    notices = []
    for got in receiver.received:
        assert verify_signature(SECRET, got.body, got.headers["X-Hub-Signature-256"])
        assert not verify_signature("wrong", got.body, got.headers["X-Hub-Signature-256"])
        notices.append(parse_notice(dict(got.headers.items()), got.body))
    assert [(n.event, n.ticket_key, n.actor) for n in notices] == [
        ("issues.opened", str(number), "alice"),
        ("issue_comment.created", str(number), "bob"),
        ("issues.closed", str(number), "bob"),
    ]
    assert [n.delivery_id for n in notices] == [d.id for d in emu.deliveries]
    mac = hmac.new(SECRET.encode(), receiver.received[0].body, hashlib.sha256).hexdigest()
    assert receiver.received[0].headers["X-Hub-Signature-256"] == f"sha256={mac}"
