"""The queue page's typed inputs: its filters (GET), a mark (POST) and the message template."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import Request
from pydantic import BaseModel, Field, ValidationError, field_validator

from tracker.actions.models import NotificationStatus, Phase
from tracker.closed_loop.marks import MARKS, MAX_ENTRIES, MAX_MESSAGE, EntryRef
from tracker.closed_loop.messages import MAX_TEMPLATE
from tracker.closed_loop.queue import QUEUE_PHASES, SHIPPED, Grouping, QueueFilters
from tracker.web.csrf import FIELD as CSRF_FIELD
from tracker.web.forms import GENERAL, FormResult

PATH = "/app/closed-loop"


class QueueQuery(BaseModel):
    """The filter form's fields. Empty selects arrive as "" and mean "any"."""

    phase: list[Phase] = Field(default_factory=lambda: list(SHIPPED))
    team: int | None = Field(default=None, ge=1, le=2**31 - 1)
    item: int | None = Field(default=None, ge=1, le=2**31 - 1)
    contact: str | None = Field(default=None, max_length=320)
    group: Grouping = Grouping.customer
    cursor: str | None = Field(default=None, max_length=600)

    @field_validator("team", "item", "contact", "cursor", mode="before")
    @classmethod
    def _blank_is_any(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("phase")
    @classmethod
    def _queue_phases(cls, value: list[Phase]) -> list[Phase]:
        wrong = [p.value for p in value if p not in QUEUE_PHASES]
        if wrong:
            raise ValueError(f"{wrong[0]} is never in the queue")
        return [p for p in QUEUE_PHASES if p in value] or list(SHIPPED)

    @classmethod
    def parse(cls, pairs: list[tuple[str, str]]) -> tuple[QueueQuery, str | None]:
        """Never fails: a hand-edited URL with a bad value shows the default queue and says so."""
        values: dict[str, Any] = {}
        for key, value in pairs:
            if key == "phase":
                values.setdefault("phase", []).append(value)
            else:
                values[key] = value
        try:
            return cls.model_validate(values), None
        except ValidationError as exc:
            names = sorted({str(e["loc"][0]) for e in exc.errors() if e.get("loc")})
            return cls(), f"Some filters were not understood and were left out: {', '.join(names)}."

    @classmethod
    def from_back(cls, back: str) -> QueueQuery:
        return cls.parse(parse_qsl(back.lstrip("?")))[0]

    @property
    def filters(self) -> QueueFilters:
        return QueueFilters(phases=tuple(self.phase), team_id=self.team, item_id=self.item,
                            contact=self.contact)

    def pairs(self, **override: Any) -> list[tuple[str, str]]:
        """The query string (defaults left out), with some fields replaced."""
        values = {"phase": self.phase, "team": self.team, "item": self.item, "contact": self.contact,
                  "group": self.group,
                  "cursor": self.cursor, **override}
        pairs: list[tuple[str, str]] = []
        if list(values["phase"]) != list(SHIPPED):
            pairs += [("phase", Phase(p).value) for p in values["phase"]]
        for name in ("team", "item", "contact"):
            if values[name] is not None:
                pairs.append((name, str(values[name])))
        if Grouping(values["group"]) is not Grouping.customer:
            pairs.append(("group", Grouping(values["group"]).value))
        if values["cursor"]:
            pairs.append(("cursor", str(values["cursor"])))
        return pairs

    def query_string(self, **override: Any) -> str:
        return urlencode(self.pairs(**override))

    def url(self, path: str = PATH, **override: Any) -> str:
        query = self.query_string(**override)
        return f"{path}?{query}" if query else path

    @property
    def filtered(self) -> bool:
        return (self.team is not None or self.item is not None or self.contact is not None
                or list(self.phase) != list(SHIPPED))


_MARK = re.compile(r"^(?P<status>[a-z]+)(?::(?P<entry>\d{1,10}))?$")
_ENTRY = re.compile(r"^(?P<id>\d{1,10}):(?P<version>\d{1,10})$")


class MarkForm(BaseModel):
    """A mark from the queue. `mark` is the pressed button's value: a status, and an entry when the
    button marks that one entry only (`notified:12`); `entry` lists `id:version` of the entries
    the form covers (a customer's, or the ticked ones)."""

    mark: str = Field(max_length=40)
    entry: list[str] = Field(default_factory=list, max_length=MAX_ENTRIES)
    message: str | None = Field(None, max_length=MAX_MESSAGE)
    back: str = Field("", max_length=2000)
    # The group the form belongs to: an htmx answer puts the keyboard focus back there.
    focus: str = Field("", max_length=60, pattern=r"^[a-z0-9-]*$")

    @field_validator("mark")
    @classmethod
    def _known_mark(cls, value: str) -> str:
        found = _MARK.match(value)
        if not found or found["status"] not in {m.value for m in MARKS}:
            raise ValueError(f"must be one of {', '.join(m.value for m in MARKS)}")
        return value

    @field_validator("entry")
    @classmethod
    def _entry_refs(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("choose at least one customer to mark")
        for raw in value:
            found = _ENTRY.match(raw)
            if not found or not 1 <= int(found["id"]) <= 2**31 - 1 or int(found["version"]) < 1:
                raise ValueError(f"{raw!r} is not an entry and its version (id:version)")
        return value

    @field_validator("message")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        if value is not None and "\x00" in value:
            raise ValueError("text must not contain NUL characters")
        return value

    @property
    def status(self) -> NotificationStatus:
        return NotificationStatus(_MARK.match(self.mark)["status"])  # type: ignore[index]

    @property
    def only(self) -> int | None:
        entry = _MARK.match(self.mark)["entry"]  # type: ignore[index]
        return int(entry) if entry else None

    def refs(self) -> list[EntryRef]:
        """The entries to mark: all the form covers, or the one its button names."""
        refs = [EntryRef(int(m["id"]), int(m["version"]))
                for m in (_ENTRY.match(raw) for raw in self.entry) if m]
        if self.only is not None:
            refs = [r for r in refs if r.id == self.only]
        return refs

    @property
    def query(self) -> QueueQuery:
        return QueueQuery.from_back(self.back)


def mark_form() -> Callable[[Request], Awaitable[FormResult[MarkForm]]]:
    """Like tracker.web.forms.form_of, but keeps every `entry` (a form sends one per checkbox)."""
    async def parse(request: Request) -> FormResult[MarkForm]:
        form = await request.form()
        values = {k: v for k, v in form.items() if isinstance(v, str) and k != CSRF_FIELD}
        data: dict[str, Any] = {**values, "entry": [v for v in form.getlist("entry") if isinstance(v, str)]}
        try:
            result = MarkForm.model_validate(data)
        except ValidationError as exc:
            errors: dict[str, str] = {}
            for error in exc.errors():
                name = str(error["loc"][0]) if error.get("loc") else GENERAL
                errors.setdefault(name, str(error.get("msg", "invalid")).removeprefix("Value error, "))
            return FormResult(None, values, errors)
        if result.only is not None and not result.refs():
            return FormResult(None, values, {"entry": f"entry {result.only} is not on this form"})
        return FormResult(result, values)

    return parse


class TemplateForm(BaseModel):
    text: str = Field("", max_length=MAX_TEMPLATE)
    version: int = Field(ge=1, description="The item's version the page showed.")
    seen_activity: int = Field(0, ge=0)
    reset: bool = False  # "Use the default" sends this
