"""Journey maps: creating a map with its stages and steps, editing it, listing it.

Stage and step edits live in `structure.py`; both bump the map's version, so the map's
ETag stands for its whole structure.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import flag_modified

from tracker.activity.service import apply_changes, record
from tracker.api.versioning import check_version
from tracker.errors import InvalidInput, NotFound
from tracker.friction.models import FrictionPoint
from tracker.journeys.models import JourneyMap, JourneyStage, JourneyStep, MapKind
from tracker.metrics import names as metric_names
from tracker.people.models import Person

MAP_FIELDS = ("name", "kind", "persona", "scope_start", "scope_end", "objectives")


def reject_nulls(data: dict[str, Any], *, nullable: frozenset[str] = frozenset()) -> None:
    """PATCH bodies may omit a field, but only nullable columns may be set to null."""
    for field, value in data.items():
        if value is None and field not in nullable:
            raise InvalidInput(f"{field} cannot be null; leave it out to keep it", field=field)


def get_map(session: Session, map_id: int, *, structure: bool = False) -> JourneyMap:
    """The map; with `structure=True` its stages and steps are loaded too (fresh from the DB)."""
    if not structure:
        jmap = session.get(JourneyMap, map_id)
    else:
        jmap = session.scalar(
            select(JourneyMap)
            .where(JourneyMap.id == map_id)
            .options(selectinload(JourneyMap.stages).selectinload(JourneyStage.steps))
            .execution_options(populate_existing=True)
        )
    if jmap is None:
        raise NotFound("journey map", map_id)
    return jmap


def touch(jmap: JourneyMap) -> None:
    """Bump the map's version on the next flush: its structure changed."""
    flag_modified(jmap, "name")


def step_data(fields: dict[str, Any]) -> dict[str, Any]:
    keep = ("name", "doing", "thinking", "feeling", "emotion_score", "channel", "people_met",
            "systems_met", "duration_minutes")
    return {k: fields[k] for k in keep if k in fields}


def build_stage(data: dict[str, Any], position: int | None) -> JourneyStage:
    # Constructor-set collections never trigger a (lazy="raise") load.
    steps = [JourneyStep(position=i, **step_data(s)) for i, s in enumerate(data.get("steps", []))]
    return JourneyStage(name=data["name"], position=position, steps=steps)


def create_map(session: Session, *, actor: Person, data: dict[str, Any]) -> JourneyMap:
    """A map with its stages and steps in order (positions follow the lists' order)."""
    stages = [build_stage(s, i) for i, s in enumerate(data.get("stages", []))]
    jmap = JourneyMap(**{k: data[k] for k in MAP_FIELDS if k in data},
                      created_by_id=actor.id, stages=stages)
    session.add(jmap)
    session.flush()
    metric_names.add_named(session, journey_map_id=jmap.id, names=data.get("success_metrics", []),
                           actor=actor)
    record(session, actor=actor, entity_type="journey_map", entity_id=jmap.id, action="created",
           changes={"name": jmap.name, "kind": jmap.kind, "stages": len(stages),
                    "steps": sum(len(s.steps) for s in stages)})
    return jmap


def update_map(
    session: Session, *, actor: Person, map_id: int, expected_version: int, data: dict[str, Any]
) -> JourneyMap:
    jmap = get_map(session, map_id)
    reject_nulls(data)
    check_version(jmap, expected_version, "journey map")
    changes: dict[str, Any] = apply_changes(
        jmap, {k: v for k, v in data.items() if k in MAP_FIELDS}
    )
    if "success_metrics" in data:
        named = metric_names.replace_names(session, journey_map_id=jmap.id, actor=actor,
                                           names=data["success_metrics"])
        if named:
            changes["success_metrics"] = named
            touch(jmap)  # the map's answer lists the names, so its ETag must change
    if changes:
        session.flush()
        record(session, actor=actor, entity_type="journey_map", entity_id=jmap.id,
               action="updated", changes=changes)
    return jmap


def list_maps_query(*, kind: MapKind | None, persona: str | None) -> Select[JourneyMap]:
    stmt = select(JourneyMap)
    if kind is not None:
        stmt = stmt.where(JourneyMap.kind == kind)
    if persona:
        # autoescape: a persona search for "50%" means the text, not a LIKE pattern.
        stmt = stmt.where(func.lower(JourneyMap.persona).contains(persona.lower(), autoescape=True))
    return stmt


def friction_counts(session: Session, map_id: int) -> dict[int, int]:
    """{step_id: number of friction points} for one map, in one grouped query."""
    rows = session.execute(
        select(FrictionPoint.step_id, func.count())
        .where(FrictionPoint.journey_map_id == map_id)
        .group_by(FrictionPoint.step_id)
    )
    return {step_id: count for step_id, count in rows}


def ordered_steps(jmap: JourneyMap) -> list[tuple[JourneyStage, JourneyStep]]:
    """Every step in journey order (stage position, then step position)."""
    return [(stage, step) for stage in jmap.stages for step in stage.steps]
