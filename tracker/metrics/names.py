"""A journey map's metric names: the map's `success_metrics` list, kept for API compatibility.

Maps used to hold success metrics as free text. They are rows of `success_metrics` now; the
map still reads and writes the list of their names. A name written through the map becomes a
manual, weekly, lower-is-better metric without a unit (set those on the metric itself).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from tracker.errors import InvalidInput
from tracker.metrics.models import (
    Direction,
    MomentMetric,
    Observation,
    Period,
    SourceKind,
    SuccessMetric,
)
from tracker.people.models import Person

FIELD = "success_metrics"


def names_by_map(session: Session, map_ids: Iterable[int]) -> dict[int, list[str]]:
    """{map id: its metric names in the order they were added}, in one query."""
    ids = list(set(map_ids))
    names: dict[int, list[str]] = {map_id: [] for map_id in ids}
    if not ids:
        return names
    rows = session.execute(
        select(SuccessMetric.journey_map_id, SuccessMetric.name)
        .where(SuccessMetric.journey_map_id.in_(ids))
        .order_by(SuccessMetric.id)
    )
    for map_id, name in rows:
        names[map_id].append(name)
    return names


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for name in names:
        seen.setdefault(name.strip(), None)
    return [name for name in seen if name]


def add_named(session: Session, *, journey_map_id: int, names: list[str], actor: Person | None) -> None:
    """A default metric for each name the map does not have yet."""
    have = set(names_by_map(session, [journey_map_id])[journey_map_id])
    for name in _unique(names):
        if name not in have:
            session.add(SuccessMetric(
                journey_map_id=journey_map_id, name=name, direction=Direction.lower_is_better,
                period=Period.weekly, source_kind=SourceKind.manual,
                created_by_id=actor.id if actor else None,
            ))
    session.flush()


def replace_names(
    session: Session, *, journey_map_id: int, names: list[str], actor: Person | None
) -> dict[str, list[str]]:
    """Make the map's metrics exactly `names`: add the new ones, remove the ones left out.

    A metric with observations or linked to a moment is never removed this way (its history
    would go with it): that is refused on the field, and DELETE on the metric does it knowingly.
    Returns {"from": names before, "to": names after} when they changed, else {}, for the
    activity log.
    """
    wanted = _unique(names)
    current = session.scalars(
        select(SuccessMetric).where(SuccessMetric.journey_map_id == journey_map_id)
        .order_by(SuccessMetric.id)
    ).all()
    dropped = [m for m in current if m.name not in wanted]
    in_use = [
        m.name for m in dropped
        if session.scalar(select(
            exists().where(Observation.metric_id == m.id)
            | exists().where(MomentMetric.metric_id == m.id)
        ))
    ]
    if in_use:
        raise InvalidInput(
            f"metric {in_use[0]!r} has observations or moments of truth; delete it through "
            "DELETE /metrics/{id} if you mean to lose them, or keep its name in the list",
            field=FIELD,
        )
    for metric in dropped:
        session.delete(metric)
    have = {m.name for m in current}
    added = [name for name in wanted if name not in have]
    session.flush()
    add_named(session, journey_map_id=journey_map_id, names=added, actor=actor)
    if not added and not dropped:
        return {}
    return {"from": [m.name for m in current], "to": names_by_map(session, [journey_map_id])[journey_map_id]}
