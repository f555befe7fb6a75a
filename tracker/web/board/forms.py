"""The board's typed inputs: the filter query (GET) and a card's move (POST)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from urllib.parse import urlencode

from pydantic import BaseModel, Field, ValidationError, field_validator

from tracker.actions.models import Phase
from tracker.web.actions.forms import PhaseMoveForm


class View(StrEnum):
    board = "board"
    table = "table"


class Sort(StrEnum):
    """The table's orders; `-` means descending. Ties are broken by id."""

    deadline = "deadline"
    deadline_desc = "-deadline"
    by_title = "title"  # not `title`: that is a str method
    by_title_desc = "-title"
    updated = "updated"
    updated_desc = "-updated"


class BoardQuery(BaseModel):
    """What the filter form sends. Empty selects arrive as "" and mean "any"."""

    team: int | None = Field(default=None, ge=1)
    owner: int | None = Field(default=None, ge=1)
    journey: int | None = Field(default=None, ge=1)
    moment: int | None = Field(default=None, ge=1)
    overdue: bool = False
    phase: Phase | None = None  # the table only: "show all of one column"
    view: View = View.board
    sort: Sort = Sort.deadline

    @field_validator("team", "owner", "journey", "moment", "phase", mode="before")
    @classmethod
    def _blank_is_any(cls, value: Any) -> Any:
        return None if value == "" else value

    @classmethod
    def parse(cls, params: dict[str, str]) -> tuple[BoardQuery, str | None]:
        """Never fails: a hand-edited URL with a bad value shows the unfiltered board and says so."""
        try:
            return cls.model_validate(params), None
        except ValidationError as exc:
            names = sorted({str(e["loc"][0]) for e in exc.errors() if e.get("loc")})
            return cls(), f"Some filters were not understood and were left out: {', '.join(names)}."

    def params(self, **override: Any) -> dict[str, str]:
        """The query string's fields (defaults left out), with some replaced."""
        values: dict[str, Any] = {**self.model_dump(mode="json"), **override}
        defaults = BoardQuery().model_dump(mode="json")
        return {k: str(v).lower() if isinstance(v, bool) else str(v)
                for k, v in values.items() if v is not None and v != defaults.get(k)}

    def url(self, path: str = "/app/board", **override: Any) -> str:
        query = urlencode(self.params(**override))
        return f"{path}?{query}" if query else path

    @property
    def filtered(self) -> bool:
        return any(v is not None for v in (self.team, self.owner, self.journey, self.moment)) or self.overdue


class BoardMoveForm(PhaseMoveForm):
    # The board's query string, so a move without JavaScript returns to the same filtered board.
    back: str = Field("", max_length=2000)
