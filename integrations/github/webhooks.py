"""GitHub webhooks: signature check and the notice the sync needs (pure functions, no I/O).

A notice only says which issue to re-read: payloads can arrive late, twice (a redelivery
keeps its `X-GitHub-Delivery`) or out of order, so the sync re-reads the issue rather than
trusting the payload's copy.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from tracker.sync.ports import InboundNotice

SIGNATURE_PREFIX = "sha256="
TICKET_EVENTS = frozenset({"issues", "issue_comment"})


def verify_signature(secret: str, body: bytes, header: str | None) -> bool:
    """`X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>`, compared in
    constant time. A missing or malformed header is simply not valid."""
    if not secret or not header or not header.startswith(SIGNATURE_PREFIX):
        return False
    given = header[len(SIGNATURE_PREFIX):].strip().lower()
    if len(given) != 64 or any(c not in "0123456789abcdef" for c in given):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given)


def parse_notice(headers: Mapping[str, str], body: bytes) -> InboundNotice:
    """What a (verified) delivery is about. Raises ValueError on a body that is not a JSON
    object or a delivery without `X-GitHub-Delivery` (nothing to de-duplicate by)."""
    delivery = _header(headers, "X-GitHub-Delivery")
    if not delivery:
        raise ValueError("missing X-GitHub-Delivery")
    kind = _header(headers, "X-GitHub-Event") or "unknown"
    try:
        payload = json.loads(_json_part(headers, body) or b"{}")
    except ValueError:
        raise ValueError("webhook body is not JSON") from None
    except RecursionError:  # nested deeper than the parser's stack: not a GitHub event
        raise ValueError("webhook body is nested too deeply") from None
    if not isinstance(payload, dict):
        raise ValueError("webhook body is not a JSON object")
    action = payload.get("action")
    event = f"{kind}.{action}" if isinstance(action, str) and action else kind
    repository = _dict(payload.get("repository"))
    project = repository.get("full_name")
    actor = _dict(payload.get("sender")).get("login")
    issue = _dict(payload.get("issue"))
    key: str | None = None
    # Comments on pull requests also come as issue_comment: a PR is never a ticket of ours.
    if kind in TICKET_EVENTS and issue.get("number") is not None and "pull_request" not in issue:
        key = str(issue["number"])
    return InboundNotice(
        delivery_id=delivery, ticket_key=key,
        project=str(project) if project else None, actor=str(actor) if actor else None,
        event=event,
    )


def _json_part(headers: Mapping[str, str], body: bytes) -> bytes:
    """The JSON of a delivery. A webhook created with GitHub's default content type sends
    `application/x-www-form-urlencoded` with the JSON in the `payload` field; the signature
    still covers the raw form body, so this runs after verification."""
    content_type = (_header(headers, "Content-Type") or "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return body
    try:
        form = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        raise ValueError("form body is not UTF-8 form data") from None
    values = form.get("payload")
    if not values:
        raise ValueError("form body has no payload field")
    return values[-1].encode()


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
