"""Reading a friction CSV into checked rows: no database here, only the file's own rules.

See `tracker.friction.csv_import` for the format. Every problem is collected as
(line, field, message) so the whole file can be fixed in one go.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from tracker.errors import InvalidInput
from tracker.friction.models import EvidenceSource
from tracker.friction.schemas import check_link

COLUMNS = (
    "stage", "step", "title", "description", "evidence_source", "evidence_note",
    "evidence_link", "customer_name", "customer_contact", "customer_segment", "upstream_cause",
)
REQUIRED = ("stage", "step", "title")
# Column limits mirror the database columns, so a row that passes here also fits there.
MAX_LENGTH = {"stage": 200, "step": 200, "title": 200, "upstream_cause": 120,
              "evidence_link": 1000, "customer_name": 200, "customer_contact": 320,
              "customer_segment": 100}
MAX_ERRORS = 200


def csv_text(body: bytes, *, max_bytes: int) -> str:
    """An uploaded CSV's text: at most `max_bytes` bytes of UTF-8, else a 422 naming the body."""
    if len(body) > max_bytes:
        raise InvalidInput(f"the CSV is over {max_bytes} bytes; split it", field="body")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput("the CSV is not UTF-8; export it as 'CSV UTF-8'", field="body") from exc


@dataclass
class Problems:
    errors: list[dict[str, object]] = field(default_factory=list)

    def add(self, line: int, column: str | None, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"line": line, "field": column, "message": message})

    @property
    def truncated(self) -> bool:
        return len(self.errors) >= MAX_ERRORS


class ImportFailed(InvalidInput):
    """The CSV has problems; `details["errors"]` lists each by line and column."""

    def __init__(self, problems: Problems) -> None:
        first = problems.errors[0]
        count = f"{len(problems.errors)}{'+' if problems.truncated else ''}"
        super().__init__(f"{count} problem(s) in the CSV, first on line {first['line']}: "
                         f"{first['message']}; nothing was imported",
                         field=first["field"] if isinstance(first["field"], str) else None,
                         errors=problems.errors)


@dataclass
class Row:
    line: int
    values: dict[str, str]  # every known column, stripped; "" when absent
    source: EvidenceSource | None = None


def _normalize(name: str) -> str:
    # "Evidence Source" and "evidence-source" are how spreadsheets tend to spell evidence_source.
    return "_".join(name.strip().lower().replace("-", " ").split())


def _delimiter(text: str) -> str:
    """`;` from European spreadsheets, tabs from copy-paste, else `,`: whichever the header uses most."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_records(text: str, problems: Problems) -> list[tuple[int, list[str]]]:
    """(first line number, cells) per non-blank record; quoted cells may span lines."""
    text = text.removeprefix("\ufeff")  # Excel's "CSV UTF-8" starts with a byte-order mark
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    records: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            if any(cell.strip() for cell in cells):
                records.append((start, cells))
    except csv.Error as exc:
        problems.add(line, None, f"the CSV cannot be read from here on: {exc}")
    return records


def read_header(line: int, cells: list[str], problems: Problems) -> list[str | None]:
    """Column name per position (None for a blank trailing header cell)."""
    names: list[str | None] = []
    for cell in cells:
        name = _normalize(cell)
        if not name:
            names.append(None)
        elif name not in COLUMNS:
            problems.add(line, name, f"unknown column {cell.strip()!r}; the columns are: "
                         + ", ".join(COLUMNS))
            names.append(None)
        elif name in names:
            problems.add(line, name, f"column {name!r} appears twice")
            names.append(None)
        else:
            names.append(name)
    for required in REQUIRED:
        if required not in names:
            problems.add(line, required, f"the header has no {required!r} column")
    return names


def check_row(line: int, cells: list[str], header: list[str | None], problems: Problems) -> Row:
    extra = [c for c in cells[len(header):] if c.strip()]
    if extra:
        problems.add(line, None, f"{len(cells)} cells but the header has {len(header)} columns")
    values = dict.fromkeys(COLUMNS, "")
    for name, cell in zip(header, cells, strict=False):
        if name:
            values[name] = cell.strip()
    row = Row(line=line, values=values)
    for required in REQUIRED:
        if not values[required]:
            problems.add(line, required, f"{required} is empty")
    for name in COLUMNS:  # the API refuses NUL in text (PostgreSQL cannot store it); so do we
        if "\x00" in values[name]:
            problems.add(line, name, f"{name} contains a NUL character")
    for name, limit in MAX_LENGTH.items():
        if len(values[name]) > limit:
            problems.add(line, name, f"{name} is {len(values[name])} characters; at most {limit}")
    _check_evidence(row, problems)
    _check_customer(row, problems)
    return row


def _check_evidence(row: Row, problems: Problems) -> None:
    v = row.values
    if v["evidence_source"]:
        key = _normalize(v["evidence_source"])
        try:
            row.source = EvidenceSource(key)
        except ValueError:
            problems.add(row.line, "evidence_source",
                         f"unknown evidence source {v['evidence_source']!r}; use one of: "
                         + ", ".join(s.value for s in EvidenceSource))
    elif v["evidence_note"] or v["evidence_link"]:
        problems.add(row.line, "evidence_source",
                     "evidence_source is empty but the row has an evidence note or link")
    if v["evidence_link"]:
        try:
            check_link(v["evidence_link"])
        except ValueError as exc:
            problems.add(row.line, "evidence_link", str(exc))


def _check_customer(row: Row, problems: Problems) -> None:
    v = row.values
    if not (v["customer_name"] or v["customer_contact"] or v["customer_segment"]):
        return
    for column in ("customer_name", "customer_contact"):
        if not v[column]:
            problems.add(row.line, column, f"{column} is empty but the row names a customer")
