"""Conditional GETs: GitHub's `ETag`/`Last-Modified` validators and the 304 decision."""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from integrations.emulation import Request, Response
from integrations.github.emulator_routes import parse_time


def add_validators(response: Response, fallback: datetime) -> None:
    """ETag hashes the body and the Link header (a new page appearing changes the list);
    Last-Modified is the newest `updated_at` in the body, else `fallback`."""
    digest = hashlib.sha256(response.encoded() + response.headers.get("Link", "").encode())
    response.headers["ETag"] = f'W/"{digest.hexdigest()[:40]}"'
    response.headers["Last-Modified"] = format_datetime(
        _last_modified(response.body, fallback), usegmt=True
    )


def _last_modified(body: Any, fallback: datetime) -> datetime:
    items = body if isinstance(body, list) else [body]
    stamps = [parse_time(item["updated_at"]) for item in items
              if isinstance(item, dict) and item.get("updated_at")]
    return max(stamps, default=fallback)


def not_modified(request: Request, response: Response) -> bool:
    # RFC 7232: If-None-Match wins; If-Modified-Since only counts without it.
    if (tags := request.headers.get("if-none-match")) is not None:
        ours = response.headers["ETag"].removeprefix("W/")
        theirs = {tag.strip().removeprefix("W/") for tag in tags.split(",")}
        return "*" in theirs or ours in theirs
    if (since := request.headers.get("if-modified-since")) is not None:
        try:
            modified = parsedate_to_datetime(response.headers["Last-Modified"])
            return modified <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False
