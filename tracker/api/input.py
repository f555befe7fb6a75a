"""The base of every request body: text never carries NUL characters.

PostgreSQL cannot store NUL in text and SQLite stores it silently, so the same request would
fail on one database and poison exports on the other. One validator on the base class covers
every text field, nested lists and mappings included, and names the field in the 422.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, field_validator


def has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple | set | frozenset):
        return any(has_nul(v) for v in value)
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    return False  # nested models validate their own fields


class Input(BaseModel):
    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if has_nul(value):
            raise ValueError("text must not contain NUL characters")
        return value
