"""What vendors (and attackers holding nothing) may send the webhook endpoints:
deep nesting, GitHub's default form encoding, Jira's non-issue events."""

from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import urlencode

import pytest

from tests.sync.harness import WEBHOOK_SECRET, Vendor, WebhookSink
from tests.sync.test_roundtrip import FORWARDED, link_of, push


def _signed(vendor: Vendor, body: bytes, **extra: str) -> dict[str, str]:
    digest = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    if vendor.kind == "jira":
        return {"X-Hub-Signature": digest, "X-Atlassian-Webhook-Identifier": "hook-1",
                "Content-Type": "application/json", **extra}
    return {"X-Hub-Signature-256": digest, "X-GitHub-Event": "issues", "X-GitHub-Delivery": "d-1",
            "Content-Type": "application/json", **extra}


def _url(vendor: Vendor) -> str:
    return f"/webhooks/{vendor.kind}/{vendor.connection_name}"


def test_a_signed_body_nested_100000_deep_is_refused_with_4xx(sync_client, vendor) -> None:  # type: ignore[no-untyped-def]
    for body in (b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 40_000 + b"1" + b"}" * 40_000):
        response = sync_client.post(_url(vendor), content=body, headers=_signed(vendor, body))
        assert response.status_code == 422, response.text
        assert response.json()["error"]["field"] == "body"


@pytest.mark.parametrize("vendor", ["jira"], indirect=True)
@pytest.mark.parametrize("event", [
    {"webhookEvent": "issuelink_created", "issueLink": {"id": 10001, "sourceIssueId": 1, "destinationIssueId": 2}},
    {"webhookEvent": "comment_created", "comment": {"id": "1", "body": "no issue in older Jira"}},
])
def test_jira_events_that_are_not_about_an_issue_are_acknowledged_and_ignored(sync_client, vendor, event) -> None:  # type: ignore[no-untyped-def]
    body = json.dumps({"timestamp": 1, **event}).encode()
    response = sync_client.post(_url(vendor), content=body, headers=_signed(vendor, body))
    assert response.status_code == 202, response.text
    assert response.json()["outcome"] == "ignored"


@pytest.mark.parametrize("vendor", ["github"], indirect=True)
def test_github_form_encoded_deliveries_sync_like_json_ones(  # type: ignore[no-untyped-def]
        sync_client, world, vendor, worker, sink: WebhookSink, session) -> None:
    item = world.item()
    push(sync_client, world, item.id)
    worker.run_until_idle()
    vendor.drain()
    sink.take()
    vendor.retitle(link_of(session, item.id).remote_key, "Retitled in GitHub")
    vendor.drain()
    [(headers, json_body)] = sink.take()[-1:]
    # What GitHub sends for a webhook created with its default content type.
    form = urlencode({"payload": json_body.decode()}).encode()
    kept = {k: v for k, v in headers.items() if k.lower() in FORWARDED and "signature" not in k.lower()}
    signed = {**kept, **{k: v for k, v in _signed(vendor, form).items() if "Signature" in k},
              "Content-Type": "application/x-www-form-urlencoded"}
    response = sync_client.post(_url(vendor), content=form, headers=signed)
    assert response.status_code == 202, response.text
    assert response.json()["outcome"] == "queued"
    forged = sync_client.post(_url(vendor), content=form + b"&x=1", headers=signed)
    assert forged.status_code == 401  # the signature covers the raw form body
    worker.run_until_idle()
    session.expire_all()
    assert session.get(type(item), item.id).title == "Retitled in GitHub"
