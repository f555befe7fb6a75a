"""The documented error body, so clients (and the OpenAPI document) know every failure's shape."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    code: str = Field(examples=["invalid"])
    message: str = Field(examples=["deadline: Input should be a valid date"])
    field: str | None = Field(None, examples=["deadline"])
    details: dict[str, Any] | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


_DESCRIPTIONS = {
    401: "No token, or a token that is unknown or revoked.",
    403: "Your role (or ownership) does not allow this.",
    404: "The resource does not exist.",
    409: "The change conflicts with the current state (e.g. an illegal phase transition).",
    412: "You edited a stale version; reload and apply your change again.",
    422: "The input is invalid; `field` names what is wrong.",
    428: "Updates must say which version they edit (If-Match or `version`).",
}

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text} for status, text in _DESCRIPTIONS.items()
}
