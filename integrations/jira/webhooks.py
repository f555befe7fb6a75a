"""Inbound Jira webhooks: check the signature, then say which ticket to re-read and who acted.

Pure functions, no I/O. The payload is never trusted for field values (deliveries arrive late,
twice and out of order): the caller de-duplicates on `delivery_id` and re-reads the ticket.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from tracker.sync.ports import InboundNotice, WebhookCodec

SIGNATURE_HEADER = "X-Hub-Signature"
DELIVERY_HEADER = "X-Atlassian-Webhook-Identifier"
ISSUE_EVENT_PREFIX = "jira:issue_"  # these must name their issue; other events may not


def verify_signature(secret: str, body: bytes, header: str | None) -> bool:
    """Whether `header` is `sha256=<hex HMAC-SHA256(secret, body)>`; False when missing/malformed."""
    if not secret or not header:
        return False
    scheme, _, given = header.strip().partition("=")
    if scheme.lower() != "sha256" or not given:
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    # Compare bytes: compare_digest refuses non-ASCII str, and a forged header may hold any.
    return hmac.compare_digest(expected.encode(), given.strip().lower().encode("utf-8", "replace"))


def parse_notice(headers: Mapping[str, str], body: bytes) -> InboundNotice:
    """The notice in a Jira event; ValueError when the body is not one. Events that are not
    about an issue (issuelink_created, an older comment_created without its issue) give a notice
    without a ticket key, which the caller records as ignored."""
    try:
        payload: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ValueError("webhook body is not JSON") from None
    except RecursionError:  # nested deeper than the parser's stack: not a Jira event
        raise ValueError("webhook body is nested too deeply") from None
    if not isinstance(payload, dict):
        raise ValueError("webhook body is not a JSON object")
    event = payload.get("webhookEvent")
    issue = payload.get("issue")
    if not isinstance(event, str) or not event:
        raise ValueError("webhook body has no webhookEvent: not a Jira event")
    user = payload.get("user")
    actor = user.get("accountId") if isinstance(user, dict) else None
    if not isinstance(issue, dict) or not isinstance(issue.get("key"), str):
        if event.startswith(ISSUE_EVENT_PREFIX):
            raise ValueError(f"Jira event {event!r} carries no issue key")
        return InboundNotice(delivery_id=_delivery_id(headers, body), ticket_key=None, project=None,
                             actor=str(actor) if actor else None, event=event)
    key: str = issue["key"]
    fields = issue.get("fields")
    project_ref = fields.get("project") if isinstance(fields, dict) else None
    project = project_ref.get("key") if isinstance(project_ref, dict) else None
    return InboundNotice(
        delivery_id=_delivery_id(headers, body),
        ticket_key=key,
        project=str(project) if project else key.rsplit("-", 1)[0],
        actor=str(actor) if actor else None,
        event=event,
    )


def _delivery_id(headers: Mapping[str, str], body: bytes) -> str:
    """Jira keeps X-Atlassian-Webhook-Identifier across retries. Without it (older Jira Server)
    a redelivery repeats the body byte for byte, so its digest is the de-duplication key."""
    wanted = DELIVERY_HEADER.lower()
    found = next((v for k, v in headers.items() if k.lower() == wanted and v), None)
    return found.strip() if found else "sha256:" + hashlib.sha256(body).hexdigest()


# What the composition root registers for `/webhooks/jira/{connection}`.
CODEC = WebhookCodec(signature_header=SIGNATURE_HEADER, verify=verify_signature, parse=parse_notice)
