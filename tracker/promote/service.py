"""Promote: turn a friction point or a moment of truth into an investigation and action items.

All or nothing. Every input is checked before anything is written, and the writes run in a
savepoint as well, so an error raised by a downstream service (the actions service has its
own rules) still leaves nothing behind, even when the caller's transaction carries on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from tracker.actions import validation as action_checks
from tracker.actions.service import create_action_item
from tracker.activity.service import record
from tracker.errors import InvalidInput, TrackerError
from tracker.friction.models import FrictionPoint
from tracker.investigations import service as investigations
from tracker.moments import priority
from tracker.moments import service as moments
from tracker.moments.models import MomentOfTruth
from tracker.people.models import Person


@dataclass
class Promoted:
    moment_id: int
    moment_created: bool
    friction_point_id: int | None
    investigation_id: int
    action_item_ids: list[int] = field(default_factory=list)


@contextmanager
def field_prefix(prefix: str) -> Iterator[None]:
    """Re-raise a nested service's error with the path of the body part it came from."""
    try:
        yield
    except TrackerError as exc:
        exc.field = f"{prefix}.{exc.field}" if exc.field else prefix
        raise


def _validate_item(session: Session, item: dict[str, Any]) -> None:
    # The same checks create_action_item runs; done up front so nothing is written first.
    action_checks.text_of(item.get("title"), "title", max_len=200)
    action_checks.team_of(session, item.get("team_id"))
    action_checks.owner_of(session, item.get("owner_id"))
    action_checks.deadline_of(item.get("deadline"))
    action_checks.priority_of(item.get("priority"))


def _source(
    session: Session, source: dict[str, Any]
) -> tuple[FrictionPoint | None, MomentOfTruth | None]:
    if source.get("friction_point_id") is not None:
        fp = session.get(FrictionPoint, source["friction_point_id"])
        if fp is None:
            raise InvalidInput(f"friction point {source['friction_point_id']} does not exist",
                               field="source.friction_point_id")
        moment = session.get(MomentOfTruth, fp.moment_id) if fp.moment_id else None
        return fp, moment
    moment = session.get(MomentOfTruth, source.get("moment_id"))
    if moment is None:
        raise InvalidInput(f"moment {source.get('moment_id')} does not exist",
                           field="source.moment_id")
    return None, moment


def promote(
    session: Session, *, actor: Person, data: dict[str, Any],
    defaults: priority.Weights | None = None,
) -> Promoted:
    """data: source {friction_point_id | moment_id}, investigation {...}, action_items [...]."""
    fp, moment = _source(session, data["source"])
    seed = dict(data.get("investigation") or {})
    seed["owner_id"] = seed.get("owner_id") or actor.id
    with field_prefix("investigation"):
        investigations.validate_new(session, seed)
    items = list(data.get("action_items") or [])
    for index, item in enumerate(items):
        with field_prefix(f"action_items.{index}"):
            _validate_item(session, item)

    with session.begin_nested():
        created = moment is None
        if moment is None:
            assert fp is not None  # a moment source always resolves to a moment
            # Keep the chain whole: a friction point reaches an investigation only through
            # a moment of truth, so promoting an ungrouped one creates its moment.
            moment = moments.create_moment(session, actor=actor, defaults=defaults, data={
                "title": fp.title, "description": fp.description,
                "journey_map_id": fp.journey_map_id, "friction_point_ids": [fp.id],
            })
        subject = fp.title if fp is not None else moment.title
        inv = investigations.create_investigation(session, actor=actor, data={
            "moment_id": moment.id, "title": seed.get("title") or f"Root cause: {subject}"[:200],
            "owner_id": seed["owner_id"], "due_date": seed.get("due_date"),
            "hypotheses": seed.get("hypotheses") or [],
            "friction_point_id": fp.id if fp is not None else None,
        })
        result = Promoted(moment_id=moment.id, moment_created=created,
                          friction_point_id=fp.id if fp is not None else None,
                          investigation_id=inv.id)
        for index, item in enumerate(items):
            with field_prefix(f"action_items.{index}"):
                action = create_action_item(session, actor=actor, data={
                    **item, "moment_id": moment.id, "investigation_id": inv.id,
                })
            result.action_item_ids.append(action.id)
        record(session, actor=actor, entity_type="moment", entity_id=moment.id,
               action="promoted", moment_id=moment.id, changes={
                   "source": {k: v for k, v in data["source"].items() if v is not None},
                   "moment_created": created, "investigation_id": inv.id,
                   "action_item_ids": result.action_item_ids,
               })
    return result
