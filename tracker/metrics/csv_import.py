"""Uploading a metric's observations as CSV: `period,value`, one row per period.

    period   2026-W05 (an ISO week), 2026-02 (a month, for monthly metrics), or any date
             inside the period (2026-02-03)
    value    a number in the metric's unit: 12, 12.5, -3, or 12,5 (decimal comma)

One header row naming both columns (any case; other columns are refused), then one row per
period. Delimiter `,` `;` or tab, UTF-8 with or without a byte-order mark, blank lines skipped.
A period already measured gets the file's value (and says it came from a CSV and who sent it).
All or nothing: every bad line is reported as {"line", "field", "message"} (line 1 is the
header): a non-numeric value, an unreadable, future or repeated period; and nothing is written.
A dry run checks and counts the same way and writes nothing.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.activity.service import record
from tracker.errors import NotFound
from tracker.friction.csv_rows import ImportFailed, Problems, read_records
from tracker.metrics.models import Observation, ObservationSource, SuccessMetric
from tracker.metrics.observations import record_observation
from tracker.metrics.periods import label, out_of_range, parse_period
from tracker.people.models import Person
from tracker.types import utcnow

COLUMNS = ("period", "value")
MAX_ROWS = 5_000
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


@dataclass
class ImportReport:
    dry_run: bool
    rows: int = 0
    created: int = 0
    replaced: int = 0
    unchanged: int = 0


def parse_value(text: str) -> float:
    """A number as spreadsheets write it; ValueError (with a message for people) otherwise."""
    cleaned = text.strip().replace(" ", "")
    if not _NUMBER.match(cleaned):
        raise ValueError(f"{text.strip()!r} is not a number")
    value = float(cleaned.replace(",", "."))
    if not math.isfinite(value) or abs(value) > 1e12:
        raise ValueError(f"{text.strip()!r} is out of range")
    return value


def _header(line: int, cells: list[str], problems: Problems) -> list[str | None]:
    names: list[str | None] = []
    for cell in cells:
        name = cell.strip().lower() or None
        if name is not None and name not in COLUMNS:
            problems.add(line, name, f"unknown column {cell.strip()!r}; the columns are: period, value")
            name = None
        elif name is not None and name in names:
            problems.add(line, name, f"column {name!r} appears twice")
            name = None
        names.append(name)
    for column in COLUMNS:
        if column not in names:
            problems.add(line, column, f"the header has no {column!r} column")
    return names


def read_rows(metric: SuccessMetric, text: str, *, today: date) -> list[tuple[int, date, float]]:
    """(line, period start, value) per row; raises ImportFailed listing every bad line."""
    problems = Problems()
    records = read_records(text, problems)
    if not records and not problems.errors:
        problems.add(1, None, "the CSV is empty: it needs a header row (period,value) and rows")
    if problems.errors:
        raise ImportFailed(problems)
    header_line, header_cells = records[0]
    header = _header(header_line, header_cells, problems)
    if problems.errors:
        raise ImportFailed(problems)
    if len(records) - 1 > MAX_ROWS:
        problems.add(records[MAX_ROWS + 1][0], None, f"more than {MAX_ROWS} rows; split the file")
        raise ImportFailed(problems)
    seen: dict[date, int] = {}
    rows: list[tuple[int, date, float]] = []
    for line, cells in records[1:]:
        cell = {name: value.strip() for name, value in zip(header, cells, strict=False) if name}
        if any(c.strip() for c in cells[len(header):]):
            problems.add(line, None, f"{len(cells)} cells but the header has {len(header)} columns")
        start: date | None = None
        try:
            start = parse_period(metric.period, cell.get("period", ""))
        except ValueError as exc:
            problems.add(line, "period", str(exc) if cell.get("period") else "period is empty")
        if start is not None:
            if (why := out_of_range(metric.period, start, today=today)) is not None:
                problems.add(line, "period", why)
            elif start in seen:
                problems.add(line, "period", f"{label(metric.period, start)} is also on line {seen[start]}")
            else:
                seen[start] = line
        try:
            value = parse_value(cell.get("value", ""))
        except ValueError as exc:
            problems.add(line, "value", str(exc) if cell.get("value") else "value is empty")
            continue
        if start is not None:
            rows.append((line, start, value))
    if problems.errors:
        raise ImportFailed(problems)
    return rows


def import_observations_csv(session: Session, *, actor: Person, metric_id: int, text: str,
                            dry_run: bool, today: date | None = None) -> ImportReport:
    metric = session.get(SuccessMetric, metric_id)
    if metric is None:
        raise NotFound("metric", metric_id)
    rows = read_rows(metric, text, today=today or utcnow().date())
    report = ImportReport(dry_run=dry_run, rows=len(rows))
    if dry_run:
        existing: dict[date, float] = {}
        if rows:
            existing = {start: value for start, value in session.execute(
                select(Observation.period_start, Observation.value)
                .where(Observation.metric_id == metric_id,
                       Observation.period_start.in_([start for _, start, _ in rows])))}
        for _, start, value in rows:
            if start not in existing:
                report.created += 1
            elif existing[start] == value:
                report.unchanged += 1
            else:
                report.replaced += 1
        return report
    for _, start, value in rows:
        outcome = record_observation(session, metric_id, start, value, ObservationSource.csv,
                                     recorded_by_id=actor.id).outcome
        setattr(report, outcome, getattr(report, outcome) + 1)
    record(session, actor=actor, entity_type="metric", entity_id=metric_id,
           action="observations_imported",
           changes={"rows": report.rows, "created": report.created, "replaced": report.replaced})
    return report
