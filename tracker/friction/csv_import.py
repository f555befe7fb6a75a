"""Importing friction points from a workshop board export (Miro/Mural stickies) or a spreadsheet.

Format: one header row, then one row per sticky/observation. Column names are matched
case-insensitively; spaces and hyphens count as underscores ("Evidence Source" works).
Delimiter `,` `;` or tab (sniffed from the header); UTF-8 with or without a byte-order mark;
blank lines are skipped; quoted cells may contain the delimiter and newlines.

    column             required  meaning
    stage              yes       name of an existing stage of the map (any case)
    step               yes       name of an existing step in that stage (any case)
    title              yes       the friction point's title (<= 200 chars)
    description                  first non-empty value per friction point
    evidence_source              workshop | interview | survey | support_tickets | analytics | other
    evidence_note                needs evidence_source
    evidence_link                http(s) address; needs evidence_source
    customer_name                with customer_contact: an affected customer
    customer_contact             email, phone or handle
    customer_segment             optional, e.g. "SMB"
    upstream_cause               e.g. "billing", "docs" (<= 120 chars)

Rules:
- Steps are matched, never created: an unknown stage or step is a row error naming the choices.
- Rows with the same title (any case) at the same step are ONE friction point; each row may
  add one piece of evidence and one affected customer. Identical evidence (source, note, link)
  and customers with the same contact are added once, so re-importing a file adds nothing.
- A friction point that already exists (same title at the same step) gets the new evidence and
  customers; its title/description/cause are left alone (edit those with PATCH).
- A description or upstream_cause that differs between rows of one friction point is an error.
- All or nothing: if any row is bad, `ImportFailed` (422) lists every problem as
  {"line", "field", "message"} (line 1 is the header) and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tracker.activity.service import record
from tracker.friction import hooks
from tracker.friction.csv_rows import ImportFailed, Problems, Row, check_row, read_header, read_records
from tracker.friction.models import AffectedCustomer, Evidence, FrictionPoint
from tracker.journeys.models import JourneyMap, JourneyStep
from tracker.journeys.service import get_map
from tracker.people.models import Person


@dataclass
class ImportReport:
    dry_run: bool
    rows: int = 0
    friction_points_created: int = 0
    friction_points_updated: int = 0
    evidence_added: int = 0
    affected_customers_added: int = 0
    friction_point_ids: list[int] = field(default_factory=list)


@dataclass
class _Group:
    """The rows that make one friction point."""

    step: JourneyStep
    title: str
    line: int
    description: tuple[int, str] | None = None  # (line, value) of the first non-empty value
    upstream_cause: tuple[int, str] | None = None
    evidence: dict[tuple[str, str, str], Evidence] = field(default_factory=dict)
    customers: dict[str, AffectedCustomer] = field(default_factory=dict)


def _find_step(jmap: JourneyMap, row: Row, problems: Problems) -> JourneyStep | None:
    stage_name, step_name = row.values["stage"], row.values["step"]
    stages = [s for s in jmap.stages if s.name.casefold() == stage_name.casefold()]
    if not stages:
        choices = ", ".join(repr(s.name) for s in jmap.stages) or "none"
        problems.add(row.line, "stage", f"unknown stage {stage_name!r}; the map's stages are: {choices}")
        return None
    steps = [s for s in stages[0].steps if s.name.casefold() == step_name.casefold()]
    if len(stages) > 1 or len(steps) > 1:
        problems.add(row.line, "step", f"step {step_name!r} in stage {stage_name!r} is ambiguous: "
                     "the map has several with that name; rename them first")
        return None
    if not steps:
        choices = ", ".join(repr(s.name) for s in stages[0].steps) or "none"
        problems.add(row.line, "step", f"unknown step {step_name!r} in stage {stage_name!r}; "
                     f"its steps are: {choices}")
        return None
    return steps[0]


def _merge_text(group: _Group, attr: str, row: Row, problems: Problems) -> None:
    value = row.values[attr]
    if not value:
        return
    first: tuple[int, str] | None = getattr(group, attr)
    if first is None:
        setattr(group, attr, (row.line, value))
    elif first[1] != value:
        problems.add(row.line, attr, f"{attr} differs from line {first[0]} for the same friction "
                     f"point {group.title!r}; give it once or keep it identical")


def _add_row(group: _Group, row: Row, problems: Problems) -> None:
    _merge_text(group, "description", row, problems)
    _merge_text(group, "upstream_cause", row, problems)
    v = row.values
    if row.source is not None:
        key = (row.source.value, v["evidence_note"], v["evidence_link"])
        group.evidence.setdefault(key, Evidence(source=row.source, note=v["evidence_note"],
                                                link=v["evidence_link"] or None))
    if v["customer_name"] and v["customer_contact"]:
        group.customers.setdefault(v["customer_contact"].casefold(), AffectedCustomer(
            name=v["customer_name"], contact=v["customer_contact"],
            segment=v["customer_segment"] or None))


def _plan(jmap: JourneyMap, text: str) -> tuple[int, list[_Group]]:
    """Check every row and group them into friction points; raise ImportFailed on any problem."""
    problems = Problems()
    records = read_records(text, problems)
    if not records:
        problems.add(1, None, "the file is empty: expected a header row and at least one row")
        raise ImportFailed(problems)
    header = read_header(*records[0], problems)
    if len(records) == 1:
        problems.add(records[0][0], None, "the file has a header but no rows")
    groups: dict[tuple[int, str], _Group] = {}
    for line, cells in records[1:]:
        row = check_row(line, cells, header, problems)
        step = _find_step(jmap, row, problems) if row.values["stage"] and row.values["step"] else None
        if step is None or not row.values["title"]:
            continue
        key = (step.id, row.values["title"].casefold())
        group = groups.setdefault(key, _Group(step=step, title=row.values["title"], line=line))
        _add_row(group, row, problems)
    if problems.errors:
        raise ImportFailed(problems)
    return len(records) - 1, list(groups.values())


def _existing(session: Session, map_id: int) -> dict[tuple[int, str], FrictionPoint]:
    rows = session.scalars(
        select(FrictionPoint).where(FrictionPoint.journey_map_id == map_id)
        .options(selectinload(FrictionPoint.evidence), selectinload(FrictionPoint.affected_customers))
        .order_by(FrictionPoint.id.desc())  # the oldest wins when titles repeat
    )
    return {(fp.step_id, fp.title.casefold()): fp for fp in rows}


def import_friction_csv(
    session: Session, *, actor: Person, text: str, journey_map_id: int, dry_run: bool = False
) -> ImportReport:
    """Import (or with dry_run only check and count) friction points for one journey map."""
    jmap = get_map(session, journey_map_id, structure=True)
    rows, groups = _plan(jmap, text)
    report = ImportReport(dry_run=dry_run, rows=rows)
    existing = _existing(session, jmap.id)
    for group in groups:
        fp = existing.get((group.step.id, group.title.casefold()))
        known_evidence = {(e.source.value, e.note, e.link or "") for e in fp.evidence} if fp else set()
        known_contacts = {c.contact.casefold() for c in fp.affected_customers} if fp else set()
        evidence = [e for key, e in group.evidence.items() if key not in known_evidence]
        customers = [c for key, c in group.customers.items() if key not in known_contacts]
        if fp is not None and not evidence and not customers:
            continue  # already imported: nothing new
        report.evidence_added += len(evidence)
        report.affected_customers_added += len(customers)
        if fp is None:
            report.friction_points_created += 1
        else:
            report.friction_points_updated += 1
        if dry_run:
            continue
        if fp is None:
            fp = FrictionPoint(
                journey_map_id=jmap.id, step_id=group.step.id, title=group.title,
                description=group.description[1] if group.description else "",
                upstream_cause=group.upstream_cause[1] if group.upstream_cause else None,
                created_by_id=actor.id, evidence=evidence, affected_customers=customers)
            session.add(fp)
            action = "imported"
        else:
            for item in evidence:
                item.friction_point_id = fp.id
            for customer in customers:
                customer.friction_point_id = fp.id
            session.add_all([*evidence, *customers])
            action = "import_added"
        session.flush()
        record(session, actor=actor, entity_type="friction_point", entity_id=fp.id, action=action,
               changes={"csv_line": group.line, "evidence": len(evidence),
                        "affected_customers": len(customers)}, moment_id=fp.moment_id)
        if action == "import_added" and customers:
            # A new point feeds no action item yet; an existing one may have been promoted.
            hooks.announce(session, friction_point_ids={fp.id}, moment_ids={fp.moment_id},
                           actor=actor, reason=f"{len(customers)} customer(s) were imported into "
                                               f"friction point {fp.id}")
        report.friction_point_ids.append(fp.id)
    return report
