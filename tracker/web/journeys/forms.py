"""Typed input of the journey pages: the line-up choice, the uploaded CSV, the confirmed CSV."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile

from tracker.friction.endpoints import MAX_CSV_BYTES

FILE_FIELD = "file"


class ConfirmImportForm(BaseModel):
    """The confirm step sends back the very text the preview checked (a hidden field), so what
    is imported is what was previewed, with no upload kept on the server in between."""

    csv: str = Field(min_length=1, max_length=MAX_CSV_BYTES)


@dataclass(frozen=True)
class UploadedCsv:
    text: str | None  # the file as text, or None with the reason in `error`
    filename: str = ""
    error: str | None = None


def _decode(data: bytes, filename: str) -> UploadedCsv:
    if not data.strip():
        return UploadedCsv(None, filename, "the file is empty: choose the CSV exported from the board")
    if len(data) > MAX_CSV_BYTES:
        return UploadedCsv(None, filename, f"the file is over {MAX_CSV_BYTES:,} bytes; split it")
    try:
        return UploadedCsv(data.decode("utf-8"), filename)
    except UnicodeDecodeError:
        return UploadedCsv(None, filename, "the file is not UTF-8 text: export it as \u201cCSV UTF-8\u201d")


async def uploaded_csv(request: Request) -> UploadedCsv:
    """The `file` part of a multipart form, read and decoded; never raises (the page says why)."""
    form = await request.form()
    upload = form.get(FILE_FIELD)
    if not isinstance(upload, UploadFile) or not upload.filename:
        return UploadedCsv(None, "", "choose a CSV file to upload")
    data = await upload.read(MAX_CSV_BYTES + 1)
    return _decode(data, upload.filename)
