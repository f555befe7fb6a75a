"""The programme's priority weights: read, change, and rescore every moment of truth."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from tracker.activity.service import record
from tracker.api.versioning import check_version
from tracker.config import get_settings
from tracker.errors import InvalidInput, PreconditionRequired
from tracker.moments import priority
from tracker.moments.models import MomentOfTruth, PriorityWeightSet
from tracker.people.models import Person
from tracker.types import utcnow

RESCORE_BATCH = 500


def weights_row(session: Session) -> PriorityWeightSet | None:
    # One row by design; ordering by id keeps it deterministic if someone inserted two.
    return session.scalar(select(PriorityWeightSet).order_by(PriorityWeightSet.id).limit(1))


def current_weights(session: Session, defaults: priority.Weights | None = None) -> priority.Weights:
    """The lead's saved weights, else the defaults (from Settings unless given)."""
    row = weights_row(session)
    if row is not None:
        return priority.Weights.of(row)
    return defaults or priority.Weights.of(get_settings().weights)


def rescore_all(session: Session, weights: priority.Weights) -> int:
    """Recompute every stored score in batches; returns how many moments changed score.

    The score is derived data, so this deliberately does not bump the moments' versions:
    a weight change must not turn a colleague's pending factor edit into a 412.
    Done in Python, batch by batch, so the one formula in priority.py is the only one
    (a SQL copy would round differently on SQLite and PostgreSQL).
    """
    table = cast(Table, MomentOfTruth.__table__)
    stmt = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(score=bindparam("b_score"))
    )
    columns = [MomentOfTruth.id, MomentOfTruth.score,
               *(getattr(MomentOfTruth, f) for f in priority.FACTORS)]
    changed = 0
    last_id = 0
    while True:
        rows = session.execute(
            select(*columns).where(MomentOfTruth.id > last_id)
            .order_by(MomentOfTruth.id).limit(RESCORE_BATCH)
        ).all()
        if not rows:
            break
        last_id = rows[-1].id
        params = []
        for row in rows:
            new = priority.score(priority.factors_of(row), weights)
            if new != row.score:
                params.append({"b_id": row.id, "b_score": new})
        if params:
            session.connection().execute(stmt, params)
            changed += len(params)
    # Loaded moments in this session must not keep showing the old score.
    for obj in list(session.identity_map.values()):
        if isinstance(obj, MomentOfTruth):
            session.expire(obj, ["score"])
    return changed


def set_weights(
    session: Session, *, actor: Person, data: dict[str, Any], expected_version: int | None,
    defaults: priority.Weights | None = None,
) -> tuple[PriorityWeightSet, int]:
    """Save the programme's weights and rescore all moments. Returns (row, moments rescored)."""
    new = priority.Weights(**{name: float(data[name]) for name in priority.VALUE_FACTORS})
    problem = priority.check_weights(new)
    if problem:
        raise InvalidInput(problem[1], field=problem[0])
    row = weights_row(session)
    old = current_weights(session, defaults)
    if row is None:
        row = PriorityWeightSet(**new.as_dict(), updated_by_id=actor.id, updated_at=utcnow())
        session.add(row)
        action = "created"
    else:
        if expected_version is None:
            raise PreconditionRequired(
                "the weights were saved before: send the version you edited "
                "(If-Match or 'version')", field="version",
            )
        check_version(row, expected_version, "priority weights")
        for name, w in new.as_dict().items():
            setattr(row, name, w)
        row.updated_by_id = actor.id
        row.updated_at = utcnow()
        action = "updated"
    session.flush()
    rescored = rescore_all(session, new) if new != old else 0
    changes: dict[str, Any] = {
        name: {"from": getattr(old, name), "to": getattr(new, name)}
        for name in priority.VALUE_FACTORS if getattr(old, name) != getattr(new, name)
    }
    changes["moments_rescored"] = rescored
    record(session, actor=actor, entity_type="priority_weights", entity_id=row.id,
           action=action, changes=changes)
    return row, rescored
