"""The import preview: the checked rows of an uploaded CSV, each with the problems found on its
line, and what importing it would do (the import service's dry run, the same call as
POST /journey-maps/{id}/friction-points/import?dry_run=true)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from tracker.friction.csv_import import ImportFailed, ImportReport, import_friction_csv
from tracker.friction.csv_rows import COLUMNS, Problems, read_header, read_records
from tracker.people.models import Person

PREVIEW_ROWS = 500  # rows shown; the check and the import always cover the whole file


@dataclass(frozen=True)
class PreviewRow:
    line: int
    values: dict[str, str]
    problems: list[str]


@dataclass(frozen=True)
class Preview:
    text: str
    filename: str
    rows: list[PreviewRow]
    hidden_rows: int  # rows beyond PREVIEW_ROWS
    report: ImportReport | None  # None when the file has problems
    general: list[str] = field(default_factory=list)  # problems not on a data row (header, file)
    problem_count: int = 0

    @property
    def ok(self) -> bool:
        return self.report is not None


def _rows(text: str) -> list[PreviewRow]:
    """The data rows as the importer reads them (its own parser), for display only."""
    scratch = Problems()  # the dry run reports the real problems
    records = read_records(text, scratch)
    if not records:
        return []
    header = read_header(*records[0], scratch)
    rows = []
    for line, cells in records[1:]:
        values = dict.fromkeys(COLUMNS, "")
        for name, cell in zip(header, cells, strict=False):
            if name:
                values[name] = cell.strip()
        rows.append(PreviewRow(line=line, values=values, problems=[]))
    return rows


def _message(problem: dict[str, object]) -> str:
    column = problem.get("field")
    return f"{column}: {problem['message']}" if isinstance(column, str) else str(problem["message"])


def preview(session: Session, *, actor: Person, journey_map_id: int, text: str, filename: str) -> Preview:
    """Check the whole file without writing anything; problems are attached to their lines."""
    rows = _rows(text)
    report: ImportReport | None = None
    problems: list[dict[str, object]] = []
    try:
        report = import_friction_csv(session, actor=actor, text=text, journey_map_id=journey_map_id,
                                     dry_run=True)
    except ImportFailed as exc:
        problems = list(exc.details.get("errors", []))
    by_line: dict[int, list[str]] = defaultdict(list)
    for problem in problems:
        by_line[int(str(problem["line"]))].append(_message(problem))
    lines = {row.line for row in rows}
    shown = [PreviewRow(r.line, r.values, by_line.get(r.line, [])) for r in rows]
    # Problems on a line with no data row (the header, an unreadable tail) are the file's own.
    general = [f"Line {line}: {m}" for line, messages in sorted(by_line.items()) if line not in lines
               for m in messages]
    if problems:
        # With problems, the lines that have them come first: that is what needs fixing.
        shown.sort(key=lambda r: (not r.problems, r.line))
    return Preview(text=text, filename=filename, rows=shown[:PREVIEW_ROWS],
                   hidden_rows=max(len(shown) - PREVIEW_ROWS, 0), report=report, general=general,
                   problem_count=len(problems))
