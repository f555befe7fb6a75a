"""Typed errors that carry their HTTP status; one handler renders them all the same way."""

from __future__ import annotations

from typing import Any


class TrackerError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field:
            error["field"] = self.field
        if self.details:
            error["details"] = self.details
        return {"error": error}


class InvalidInput(TrackerError):
    status = 422
    code = "invalid"


class NotAuthenticated(TrackerError):
    status = 401
    code = "not_authenticated"


class Forbidden(TrackerError):
    status = 403
    code = "forbidden"


class NotFound(TrackerError):
    status = 404
    code = "not_found"

    def __init__(self, kind: str, ident: object) -> None:
        super().__init__(f"{kind} {ident} not found", kind=kind, id=str(ident))


class Conflict(TrackerError):
    status = 409
    code = "conflict"


class PreconditionFailed(TrackerError):
    """The caller's version of the resource is stale: someone else changed it first."""

    status = 412
    code = "stale_version"


class PreconditionRequired(TrackerError):
    status = 428
    code = "version_required"


class TooManyAttempts(TrackerError):
    """Repeated failures from one client: try again after `retry_after` seconds."""

    status = 429
    code = "too_many_attempts"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)
        self.headers = {"Retry-After": str(retry_after)}
