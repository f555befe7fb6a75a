"""Optimistic concurrency: updates name the version they were made against.

Clients send `If-Match: "<version>"` (the ETag from a GET) or a `version` field in the body.
A missing version is refused (428) so nobody overwrites a colleague's change by accident.
"""

from __future__ import annotations

from typing import Annotated, Protocol

from fastapi import Header, Response

from tracker.errors import InvalidInput, PreconditionFailed, PreconditionRequired


class Versioned(Protocol):
    id: int
    version: int


IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='The ETag of the version you edited, e.g. `"3"`; or send `version` in the body.',
    ),
]


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, obj: Versioned) -> None:
    response.headers["ETag"] = etag(obj.version)


def expected_version(if_match: str | None, body_version: int | None) -> int:
    if if_match is not None:
        raw = if_match.strip().removeprefix("W/").strip('"')
        if not raw.isdigit():
            raise InvalidInput("If-Match must be an ETag like \"3\"", field="If-Match")
        return int(raw)
    if body_version is not None:
        return body_version
    raise PreconditionRequired(
        "send the version you edited: an If-Match header or a 'version' field", field="version"
    )


def check_version(obj: Versioned, expected: int, kind: str) -> None:
    if obj.version != expected:
        raise PreconditionFailed(
            f"{kind} {obj.id} is at version {obj.version}, you edited version {expected}; "
            "reload it and apply your change again",
            field="version",
            current_version=obj.version,
        )
