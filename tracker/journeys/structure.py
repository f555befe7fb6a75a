"""Adding, editing, moving and deleting stages and steps of a journey map.

Stages and steps carry no version of their own: they are parts of the map, so edits are
checked against (and bump) the map's version. Positions stay dense (0..n-1) and unique.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.activity.service import apply_changes, record
from tracker.api.versioning import check_version
from tracker.errors import Conflict, InvalidInput, NotFound
from tracker.friction.models import FrictionPoint
from tracker.journeys.models import JourneyMap, JourneyStage, JourneyStep
from tracker.journeys.positions import insert_at, renumber
from tracker.journeys.service import build_stage, get_map, reject_nulls, step_data, touch
from tracker.people.models import Person

_PARKED = -1_000_000  # a scratch position no renumbering ever uses


def get_stage(session: Session, stage_id: int) -> JourneyStage:
    stage = session.get(JourneyStage, stage_id)
    if stage is None:
        raise NotFound("stage", stage_id)
    return stage


def get_step(session: Session, step_id: int) -> JourneyStep:
    step = session.get(JourneyStep, step_id)
    if step is None:
        raise NotFound("step", step_id)
    return step


def _stage_in(jmap: JourneyMap, stage_id: int) -> JourneyStage:
    for stage in jmap.stages:
        if stage.id == stage_id:
            return stage
    raise NotFound("stage", stage_id)


def _step_in(jmap: JourneyMap, step_id: int) -> tuple[JourneyStage, JourneyStep]:
    for stage in jmap.stages:
        for step in stage.steps:
            if step.id == step_id:
                return stage, step
    raise NotFound("step", step_id)


def _friction_count(session: Session, step_ids: list[int]) -> int:
    if not step_ids:
        return 0
    return session.scalar(
        select(func.count()).select_from(FrictionPoint).where(FrictionPoint.step_id.in_(step_ids))
    ) or 0


def add_stage(
    session: Session, *, actor: Person, map_id: int, data: dict[str, Any]
) -> JourneyStage:
    jmap = get_map(session, map_id, structure=True)
    stage = build_stage(data, None)
    stage.journey_map_id = jmap.id
    session.add(stage)
    renumber(session, insert_at(list(jmap.stages), stage, data.get("position")))  # type: ignore[arg-type]
    touch(jmap)
    session.flush()
    record(session, actor=actor, entity_type="journey_stage", entity_id=stage.id, action="created",
           changes={"journey_map_id": jmap.id, "name": stage.name, "position": stage.position})
    return stage


def update_stage(
    session: Session, *, actor: Person, stage_id: int, expected_version: int, data: dict[str, Any]
) -> JourneyStage:
    jmap = get_map(session, get_stage(session, stage_id).journey_map_id, structure=True)
    reject_nulls(data)
    check_version(jmap, expected_version, "journey map")
    stage = _stage_in(jmap, stage_id)
    changes = apply_changes(stage, {k: v for k, v in data.items() if k == "name"})
    if data.get("position") is not None:
        before = stage.position
        others = [s for s in jmap.stages if s is not stage]
        renumber(session, insert_at(others, stage, data["position"]))  # type: ignore[arg-type]
        if stage.position != before:
            changes["position"] = {"from": before, "to": stage.position}
    if changes:
        touch(jmap)
        session.flush()
        record(session, actor=actor, entity_type="journey_stage", entity_id=stage.id,
               action="updated", changes=changes)
    return stage


def delete_stage(session: Session, *, actor: Person, stage_id: int) -> None:
    """Only a stage whose steps have no friction points: evidence is never deleted by accident."""
    jmap = get_map(session, get_stage(session, stage_id).journey_map_id, structure=True)
    stage = _stage_in(jmap, stage_id)
    count = _friction_count(session, [s.id for s in stage.steps])
    if count:
        raise Conflict(f"stage {stage_id} has {count} friction point(s) on its steps; "
                       "move or delete them first", field="stage_id", friction_points=count)
    remaining = [s for s in jmap.stages if s is not stage]
    session.delete(stage)
    session.flush()
    renumber(session, remaining)
    touch(jmap)
    session.flush()
    record(session, actor=actor, entity_type="journey_stage", entity_id=stage_id, action="deleted",
           changes={"journey_map_id": jmap.id, "name": stage.name})


def add_step(
    session: Session, *, actor: Person, stage_id: int, data: dict[str, Any]
) -> JourneyStep:
    jmap = get_map(session, get_stage(session, stage_id).journey_map_id, structure=True)
    stage = _stage_in(jmap, stage_id)
    step = JourneyStep(stage_id=stage.id, position=None, **step_data(data))
    session.add(step)
    renumber(session, insert_at(list(stage.steps), step, data.get("position")))  # type: ignore[arg-type]
    touch(jmap)
    session.flush()
    record(session, actor=actor, entity_type="journey_step", entity_id=step.id, action="created",
           changes={"stage_id": stage.id, "name": step.name, "position": step.position})
    return step


def update_step(
    session: Session, *, actor: Person, step_id: int, expected_version: int, data: dict[str, Any]
) -> JourneyStep:
    jmap = get_map(session, get_stage(session, get_step(session, step_id).stage_id).journey_map_id,
                   structure=True)
    reject_nulls(data, nullable=frozenset({"duration_minutes"}))
    check_version(jmap, expected_version, "journey map")
    stage, step = _step_in(jmap, step_id)
    target = stage
    if data.get("stage_id") is not None and data["stage_id"] != stage.id:
        target = next((s for s in jmap.stages if s.id == data["stage_id"]), None)  # type: ignore[assignment]
        if target is None:
            raise InvalidInput(f"stage {data['stage_id']} is not a stage of journey map {jmap.id}",
                               field="stage_id")
    changes = apply_changes(step, step_data(data))
    if target is not stage or data.get("position") is not None:
        before = (stage.id, step.position)
        if target is not stage:
            # Park the step off both stages' position ranges before it changes stage.
            step.position, step.stage_id = _PARKED, target.id
            session.flush()
            renumber(session, [s for s in stage.steps if s is not step])
        others = [s for s in target.steps if s is not step]
        renumber(session, insert_at(others, step, data.get("position")))  # type: ignore[arg-type]
        if (target.id, step.position) != before:
            changes["stage_id"] = {"from": before[0], "to": target.id}
            changes["position"] = {"from": before[1], "to": step.position}
    if changes:
        touch(jmap)
        session.flush()
        record(session, actor=actor, entity_type="journey_step", entity_id=step.id,
               action="updated", changes=changes)
    return step


def delete_step(session: Session, *, actor: Person, step_id: int) -> None:
    """Only a step without friction points (409 otherwise): they are the map's evidence."""
    jmap = get_map(session, get_stage(session, get_step(session, step_id).stage_id).journey_map_id,
                   structure=True)
    stage, step = _step_in(jmap, step_id)
    count = _friction_count(session, [step.id])
    if count:
        raise Conflict(f"step {step_id} has {count} friction point(s); move or delete them first",
                       field="step_id", friction_points=count)
    session.delete(step)
    session.flush()
    renumber(session, [s for s in stage.steps if s is not step])
    touch(jmap)
    session.flush()
    record(session, actor=actor, entity_type="journey_step", entity_id=step_id, action="deleted",
           changes={"stage_id": stage.id, "name": step.name})
