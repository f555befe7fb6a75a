"""changed_since's watermark, and GitHub's whole-second UTC timestamps."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any


class Watermark:
    """changed_since's position as a JSON string: the `since` of its query, that query's
    last ETag, and the issues (key -> updated_at) already returned from it."""

    def __init__(self, since: str | None, etag: str | None, seen: dict[str, str]) -> None:
        self.since, self.etag, self.seen = since, etag, seen

    def encode(self) -> str:
        return json.dumps({"since": self.since, "etag": self.etag, "seen": self.seen})

    @classmethod
    def decode(cls, value: str | None) -> Watermark:
        if not value:
            return cls(None, None, {})
        try:
            data = json.loads(value)
        except ValueError:
            return cls(stamp(utc(datetime.fromisoformat(value))), None, {})  # a bare time
        seen = data.get("seen") or {}
        return cls(data.get("since"), data.get("etag"), {str(k): str(v) for k, v in seen.items()})


def utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: str) -> datetime:
    return utc(datetime.fromisoformat(value.replace("Z", "+00:00")))


def fingerprint(issue: dict[str, Any]) -> str:
    """`<updated_at>|<digest of the synced fields>`: tells apart two edits within one second."""
    content = json.dumps([
        issue.get("title"), issue.get("state"), issue.get("state_reason"),
        sorted(label.get("name", "") for label in issue.get("labels") or []),
        sorted(a.get("login", "") for a in issue.get("assignees") or []),
        (issue.get("milestone") or {}).get("due_on"),
    ])
    return f"{issue['updated_at']}|{hashlib.sha1(content.encode()).hexdigest()[:12]}"


def stamp_of(seen_as: str) -> str:
    return seen_as.split("|", 1)[0]
