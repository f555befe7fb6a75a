"""The activity page's filter query (GET): who, which item or moment, through what."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from pydantic import BaseModel, Field, ValidationError, field_validator

from tracker.activity.source import Source
from tracker.api.params import MAX_ID


class ActivityQuery(BaseModel):
    """Empty fields arrive as "" and mean "any". `before` pages back: entries older than that id."""

    person: int | None = Field(default=None, ge=1, le=MAX_ID)
    item: int | None = Field(default=None, ge=1, le=MAX_ID)
    moment: int | None = Field(default=None, ge=1, le=MAX_ID)
    source: Source | None = None
    before: int | None = Field(default=None, ge=1, le=MAX_ID)

    @field_validator("person", "item", "moment", "source", "before", mode="before")
    @classmethod
    def _blank_is_any(cls, value: Any) -> Any:
        return None if value == "" else value

    @classmethod
    def parse(cls, params: dict[str, str]) -> tuple[ActivityQuery, str | None]:
        """Never fails: a hand-edited URL with a bad value shows the whole log and says so."""
        try:
            return cls.model_validate(params), None
        except ValidationError as exc:
            names = sorted({str(e["loc"][0]) for e in exc.errors() if e.get("loc")})
            return cls(), f"Some filters were not understood and were left out: {', '.join(names)}."

    @property
    def filtered(self) -> bool:
        return any(v is not None for v in (self.person, self.item, self.moment, self.source))

    def url(self, path: str = "/app/activity", **override: Any) -> str:
        values = {**self.model_dump(mode="json"), **override}
        query = urlencode({k: v for k, v in values.items() if v is not None})
        return f"{path}?{query}" if query else path
