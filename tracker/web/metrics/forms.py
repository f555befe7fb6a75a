"""The metric forms, parsed with the API's own bodies (MetricCreate, MetricUpdate) so the page
and the API accept and refuse the same values; only what HTML forms do differently is handled
here: empty inputs, and the query and connection fields that a plain form always sends (they
only count for a Jira or GitHub source, so another source drops them rather than refusing)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from starlette.datastructures import UploadFile

from tracker.api.params import DbId
from tracker.errors import InvalidInput
from tracker.friction.csv_rows import csv_text
from tracker.metrics.endpoints import MAX_CSV_BYTES
from tracker.metrics.schemas import MetricCreate, MetricUpdate, ObservationIn
from tracker.metrics.service import COUNTED

FILE_FIELD = "file"
FIELDS = ("name", "description", "unit", "direction", "period", "source_kind", "query", "connection")


def _as_html_sends_it(values: Any) -> Any:
    if not isinstance(values, dict):
        return values
    values = dict(values)
    for name in ("name", "unit", "query", "connection"):
        if isinstance(values.get(name), str):
            values[name] = values[name].strip()
    for name in ("query", "connection", "direction"):
        if values.get(name) == "":
            values[name] = None
    if values.get("source_kind") not in [kind.value for kind in COUNTED]:
        values["query"] = values["connection"] = None
    return values


class MetricForm(MetricCreate):
    """A new metric: the API's body."""

    model_config = ConfigDict(extra="ignore")

    _html = model_validator(mode="before")(_as_html_sends_it)

    def data(self) -> MetricCreate:
        return MetricCreate.model_validate(self.model_dump(include=set(FIELDS)))


class MetricEditForm(MetricUpdate):
    """An edit: every field as the page showed it, with the metric's version."""

    model_config = ConfigDict(extra="ignore")

    version: int = Field(ge=1, description="The metric's version the page showed.")  # type: ignore[assignment]

    _html = model_validator(mode="before")(_as_html_sends_it)

    @field_validator("name", "direction", "period", "source_kind", mode="before")
    @classmethod
    def _needed(cls, value: object) -> object:
        if value is None or value == "":
            raise ValueError("needed")
        return value

    def data(self) -> MetricUpdate:
        """Every field the form shows is set: a field left empty clears it, as on the page."""
        return MetricUpdate.model_validate(self.model_dump(include=set(FIELDS)))


class ValueForm(ObservationIn):
    """One period's value, entered on the page: the API's body plus the period it names. The
    version is sent only to replace a value the page showed (after "Save again to replace")."""

    model_config = ConfigDict(extra="ignore")

    period: str = Field(min_length=1, max_length=40)

    @model_validator(mode="before")
    @classmethod
    def _html(cls, values: Any) -> Any:
        if isinstance(values, dict):
            values = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
            if values.get("version") == "":
                values["version"] = None
        return values


class LinkForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    moment_id: DbId


@dataclass(frozen=True)
class UploadedCsv:
    text: str | None  # the file as text, or None with the reason in `error`
    filename: str = ""
    error: str | None = None


async def uploaded_csv(request: Request) -> UploadedCsv:
    """The `file` part of the upload form as text (csv_text, the API's own check of size and
    UTF-8); never raises: the page says why."""
    form = await request.form()
    upload = form.get(FILE_FIELD)
    if not isinstance(upload, UploadFile) or not upload.filename:
        return UploadedCsv(None, "", "choose a CSV file to upload")
    data = await upload.read(MAX_CSV_BYTES + 1)
    try:
        text = csv_text(data, max_bytes=MAX_CSV_BYTES)
    except InvalidInput as exc:
        return UploadedCsv(None, upload.filename, exc.message)
    if not text.strip():
        return UploadedCsv(None, upload.filename, "the file is empty: it needs a header row (period,value) and rows")
    return UploadedCsv(text, upload.filename)

