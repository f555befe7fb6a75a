"""Friction points: observed breaks at a step of a journey map, with evidence and the customers hit.

Evidence and affected customers are appended and removed on their own and do not bump the
friction point's version: they never overwrite what a colleague wrote.

Changes to who a point stands for (customers, its moment) are announced through
tracker/friction/hooks.py, so action items made from it can keep their checklists in step.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session, selectinload

from tracker.activity.service import apply_changes, record
from tracker.api.versioning import check_version
from tracker.errors import InvalidInput, NotFound
from tracker.friction import hooks
from tracker.friction.models import AffectedCustomer, Evidence, EvidenceSource, FrictionPoint
from tracker.journeys.models import JourneyMap, JourneyStage, JourneyStep
from tracker.moments.models import MomentOfTruth
from tracker.people.models import Person

EDITABLE = ("title", "description", "upstream_cause", "step_id", "moment_id")
NULLABLE = frozenset({"upstream_cause", "moment_id"})


def get_friction(session: Session, friction_id: int, *, full: bool = False) -> FrictionPoint:
    """The friction point; with `full=True` its evidence and customers are loaded too."""
    stmt = select(FrictionPoint).where(FrictionPoint.id == friction_id)
    if full:
        stmt = stmt.options(selectinload(FrictionPoint.evidence),
                            selectinload(FrictionPoint.affected_customers)
                            ).execution_options(populate_existing=True)
    fp = session.scalar(stmt)
    if fp is None:
        raise NotFound("friction point", friction_id)
    return fp


def _step(session: Session, step_id: int, field: str = "step_id") -> tuple[JourneyStep, int]:
    """The step named in a body and its map id; an unknown id is the body's fault (422)."""
    row = session.execute(
        select(JourneyStep, JourneyStage.journey_map_id)
        .join(JourneyStage, JourneyStep.stage_id == JourneyStage.id)
        .where(JourneyStep.id == step_id)
    ).first()
    if row is None:
        raise InvalidInput(f"step {step_id} does not exist", field=field)
    return row[0], row[1]


def _check_moment(session: Session, moment_id: int | None) -> None:
    if moment_id is not None and session.get(MomentOfTruth, moment_id) is None:
        raise InvalidInput(f"moment of truth {moment_id} does not exist", field="moment_id")


def create_friction(session: Session, *, actor: Person, data: dict[str, Any]) -> FrictionPoint:
    """A friction point at a step (the map comes from the step), with evidence and customers."""
    _, map_id = _step(session, data["step_id"])
    fp = FrictionPoint(
        journey_map_id=map_id, step_id=data["step_id"], title=data["title"],
        description=data.get("description") or "", upstream_cause=data.get("upstream_cause"),
        created_by_id=actor.id,
        evidence=[Evidence(**e) for e in data.get("evidence", [])],
        affected_customers=[AffectedCustomer(**c) for c in data.get("affected_customers", [])],
    )
    session.add(fp)
    session.flush()
    record(session, actor=actor, entity_type="friction_point", entity_id=fp.id, action="created",
           changes={"title": fp.title, "step_id": fp.step_id, "journey_map_id": map_id,
                    "evidence": len(fp.evidence), "affected_customers": len(fp.affected_customers)})
    return fp


def update_friction(
    session: Session, *, actor: Person, friction_id: int, expected_version: int,
    data: dict[str, Any],
) -> FrictionPoint:
    fp = get_friction(session, friction_id)
    updates = {k: v for k, v in data.items() if k in EDITABLE}
    for field, value in updates.items():
        if value is None and field not in NULLABLE:
            raise InvalidInput(f"{field} cannot be null; leave it out to keep it", field=field)
    check_version(fp, expected_version, "friction point")
    if "step_id" in updates:
        _, map_id = _step(session, updates["step_id"])
        # Moving to another map would silently change which journey the evidence belongs to.
        if map_id != fp.journey_map_id:
            raise InvalidInput(f"step {updates['step_id']} is on journey map {map_id}, not on "
                               f"this friction point's map {fp.journey_map_id}", field="step_id")
    if "moment_id" in updates:
        _check_moment(session, updates["moment_id"])
    old_moment = fp.moment_id
    changes = apply_changes(fp, updates)
    if changes:
        session.flush()
        record(session, actor=actor, entity_type="friction_point", entity_id=fp.id,
               action="updated", changes=changes, moment_id=fp.moment_id or old_moment)
    if "moment_id" in changes:
        hooks.announce(session, friction_point_ids={fp.id}, moment_ids={old_moment, fp.moment_id},
                       actor=actor, reason=_moved(fp.id, old_moment, fp.moment_id))
    return fp


def _moved(friction_id: int, old: int | None, new: int | None) -> str:
    if old is None:
        return f"friction point {friction_id} was grouped into moment {new}"
    if new is None:
        return f"friction point {friction_id} was ungrouped from moment {old}"
    return f"friction point {friction_id} was moved from moment {old} to moment {new}"


def add_evidence(
    session: Session, *, actor: Person, friction_id: int, data: dict[str, Any]
) -> Evidence:
    fp = get_friction(session, friction_id)
    item = Evidence(friction_point_id=fp.id, **data)
    session.add(item)
    session.flush()
    record(session, actor=actor, entity_type="friction_point", entity_id=fp.id,
           action="evidence_added", changes={"evidence_id": item.id, "source": item.source},
           moment_id=fp.moment_id)
    return item


def delete_evidence(session: Session, *, actor: Person, friction_id: int, evidence_id: int) -> None:
    fp = get_friction(session, friction_id)
    item = session.get(Evidence, evidence_id)
    if item is None or item.friction_point_id != fp.id:
        raise NotFound("evidence", evidence_id)
    session.delete(item)
    session.flush()
    record(session, actor=actor, entity_type="friction_point", entity_id=fp.id,
           action="evidence_removed",
           changes={"evidence_id": evidence_id, "source": item.source, "note": item.note},
           moment_id=fp.moment_id)


def add_customer(
    session: Session, *, actor: Person, friction_id: int, data: dict[str, Any]
) -> AffectedCustomer:
    fp = get_friction(session, friction_id)
    item = AffectedCustomer(friction_point_id=fp.id, **data)
    session.add(item)
    session.flush()
    record(session, actor=actor, entity_type="friction_point", entity_id=fp.id,
           action="customer_added", changes={"customer_id": item.id, "name": item.name},
           moment_id=fp.moment_id)
    hooks.announce(session, friction_point_ids={fp.id}, moment_ids={fp.moment_id}, actor=actor,
                   reason=f"{item.name} was added to friction point {fp.id}")
    return item


def delete_customer(session: Session, *, actor: Person, friction_id: int, customer_id: int) -> None:
    fp = get_friction(session, friction_id)
    item = session.get(AffectedCustomer, customer_id)
    if item is None or item.friction_point_id != fp.id:
        raise NotFound("affected customer", customer_id)
    # Before the delete: it clears the checklist entries' link to this customer.
    hooks.announce(session, friction_point_ids={fp.id}, moment_ids={fp.moment_id}, actor=actor,
                   reason=f"{item.name} was removed from friction point {fp.id}",
                   leaving_customer_ids=frozenset({item.id}))
    session.delete(item)
    session.flush()
    record(session, actor=actor, entity_type="friction_point", entity_id=fp.id,
           action="customer_removed",
           changes={"customer_id": customer_id, "name": item.name, "contact": item.contact},
           moment_id=fp.moment_id)


def list_query(
    *, journey_map_id: int | None = None, step_id: int | None = None,
    moment_id: int | None = None, unassigned: bool | None = None,
    source: EvidenceSource | None = None,
) -> Select[FrictionPoint]:
    if unassigned and moment_id is not None:
        raise InvalidInput("unassigned=true and a moment_id contradict each other",
                           field="unassigned")
    stmt = select(FrictionPoint)
    if journey_map_id is not None:
        stmt = stmt.where(FrictionPoint.journey_map_id == journey_map_id)
    if step_id is not None:
        stmt = stmt.where(FrictionPoint.step_id == step_id)
    if moment_id is not None:
        stmt = stmt.where(FrictionPoint.moment_id == moment_id)
    if unassigned is not None:
        has_moment = FrictionPoint.moment_id.is_not(None)
        stmt = stmt.where(~has_moment if unassigned else has_moment)
    if source is not None:
        stmt = stmt.where(exists().where(Evidence.friction_point_id == FrictionPoint.id,
                                         Evidence.source == source))
    return stmt


def location(session: Session, fp: FrictionPoint) -> dict[str, Any]:
    """The names of the friction point's map, stage and step (for readers, not ids alone)."""
    row = session.execute(
        select(JourneyMap.name, JourneyStage.id, JourneyStage.name, JourneyStep.name)
        .join(JourneyStage, JourneyStage.id == JourneyStep.stage_id)
        .join(JourneyMap, JourneyMap.id == JourneyStage.journey_map_id)
        .where(JourneyStep.id == fp.step_id)
    ).one()
    return {"journey_map_name": row[0], "stage_id": row[1], "stage_name": row[2],
            "step_name": row[3]}
