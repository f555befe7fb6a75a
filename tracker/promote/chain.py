"""Walk the chain journey -> friction -> moment -> investigation -> action -> checklist,
from any link, up or down.

The graph is the moment of truth the starting point belongs to, with everything attached
to it: its friction points (with their journey map and step), its investigations, and
their action items (with checklist counts). Links that hang off the chain without a moment
are included too: an investigation's source friction point that was later ungrouped, an
action item whose investigation or moment is gone. A fixed number of queries, whatever
the size of the graph.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from tracker.actions.models import ActionItem, ChecklistEntry, NotificationStatus
from tracker.errors import InvalidInput, NotFound
from tracker.friction.models import FrictionPoint
from tracker.investigations.models import Investigation
from tracker.journeys.models import JourneyMap, JourneyStage, JourneyStep
from tracker.moments.models import MomentOfTruth
from tracker.moments.status import statuses_for
from tracker.promote.schemas import (
    ActionNode,
    ChainOut,
    FrictionNode,
    InvestigationNode,
    JourneyRef,
    MomentNode,
    StepRef,
)

KINDS = ("friction_point_id", "moment_id", "investigation_id", "action_item_id")


def _start(params: dict[str, int | None]) -> tuple[str, int]:
    given = [k for k in KINDS if params.get(k) is not None]
    if len(given) != 1:
        raise InvalidInput("give exactly one of " + ", ".join(KINDS),
                           field=given[1] if len(given) > 1 else None, given=given)
    return given[0], int(params[given[0]])  # type: ignore[arg-type]


def walk(session: Session, **params: int | None) -> ChainOut:
    kind, ident = _start(params)
    fp_ids: set[int] = set()
    inv_ids: set[int] = set()
    item_ids: set[int] = set()
    moment_id: int | None = None
    if kind == "friction_point_id":
        fp = session.get(FrictionPoint, ident) or _missing("friction point", ident)
        fp_ids.add(fp.id)
        moment_id = fp.moment_id
    elif kind == "moment_id":
        moment_id = (session.get(MomentOfTruth, ident) or _missing("moment", ident)).id
    elif kind == "investigation_id":
        inv = session.get(Investigation, ident) or _missing("investigation", ident)
        inv_ids.add(inv.id)
        moment_id = inv.moment_id
    else:
        item = session.get(ActionItem, ident) or _missing("action item", ident)
        item_ids.add(item.id)
        moment_id = item.moment_id
        if item.investigation_id is not None:
            inv_ids.add(item.investigation_id)
            if moment_id is None:
                moment_id = session.scalar(select(Investigation.moment_id).where(
                    Investigation.id == item.investigation_id))

    if moment_id is not None:
        fp_ids |= set(session.scalars(
            select(FrictionPoint.id).where(FrictionPoint.moment_id == moment_id)))
    # `moment_id` may be None (a friction point not grouped yet): never compare with NULL,
    # which would pull in every action item that has no moment.
    inv_where: list[ColumnElement[bool]] = [
        Investigation.id.in_(inv_ids), Investigation.friction_point_id.in_(fp_ids)]
    if moment_id is not None:
        inv_where.append(Investigation.moment_id == moment_id)
    investigations = list(session.scalars(
        select(Investigation).where(or_(*inv_where)).order_by(Investigation.id)))
    inv_ids |= {i.id for i in investigations}
    fp_ids |= {i.friction_point_id for i in investigations if i.friction_point_id is not None}
    item_where: list[ColumnElement[bool]] = [
        ActionItem.id.in_(item_ids), ActionItem.investigation_id.in_(inv_ids)]
    if moment_id is not None:
        item_where.append(ActionItem.moment_id == moment_id)
    items = list(session.scalars(
        select(ActionItem).where(or_(*item_where)).order_by(ActionItem.id)))
    return ChainOut(
        start={"kind": kind.removesuffix("_id"), "id": ident},
        moment=_moment(session, moment_id),
        **_frictions(session, fp_ids, moment_id),
        investigations=[InvestigationNode.model_validate(i, from_attributes=True)
                        for i in investigations],
        action_items=_actions(session, items),
    )


def _missing(kind: str, ident: int) -> Any:
    raise NotFound(kind, ident)


def _moment(session: Session, moment_id: int | None) -> MomentNode | None:
    if moment_id is None:
        return None
    moment = session.get(MomentOfTruth, moment_id)
    if moment is None:
        return None
    status = statuses_for(session, [moment.id])[moment.id]
    return MomentNode(id=moment.id, title=moment.title, score=moment.score,
                      rank_override=moment.rank_override, status=status,
                      journey_map_id=moment.journey_map_id)


def _frictions(session: Session, fp_ids: set[int], moment_id: int | None) -> dict[str, Any]:
    rows = session.execute(
        select(FrictionPoint, JourneyStep, JourneyStage)
        .join(JourneyStep, JourneyStep.id == FrictionPoint.step_id)
        .join(JourneyStage, JourneyStage.id == JourneyStep.stage_id)
        .where(FrictionPoint.id.in_(fp_ids)).order_by(FrictionPoint.id)
    ).all()
    nodes = [
        FrictionNode(id=fp.id, title=fp.title, journey_map_id=fp.journey_map_id,
                     moment_id=fp.moment_id,
                     step=StepRef(id=step.id, name=step.name, position=step.position,
                                  stage_id=stage.id, stage_name=stage.name))
        for fp, step, stage in rows
    ]
    map_ids = {n.journey_map_id for n in nodes}
    if moment_id is not None:
        own = session.scalar(select(MomentOfTruth.journey_map_id).where(
            MomentOfTruth.id == moment_id))
        if own is not None:
            map_ids.add(own)
    maps = session.scalars(select(JourneyMap).where(JourneyMap.id.in_(map_ids))
                           .order_by(JourneyMap.id))
    return {
        "friction_points": nodes,
        "journey_maps": [JourneyRef(id=m.id, name=m.name, kind=m.kind, persona=m.persona)
                         for m in maps],
    }


def _actions(session: Session, items: list[ActionItem]) -> list[ActionNode]:
    counts: dict[int, dict[str, int]] = {
        item.id: {"total": 0, **{s.value: 0 for s in NotificationStatus}} for item in items
    }
    for item_id, status, n in session.execute(
        select(ChecklistEntry.action_item_id, ChecklistEntry.status, func.count())
        .where(ChecklistEntry.action_item_id.in_(list(counts)))
        .group_by(ChecklistEntry.action_item_id, ChecklistEntry.status)
    ):
        counts[item_id][NotificationStatus(status).value] = n
        counts[item_id]["total"] += n
    return [
        ActionNode(id=i.id, title=i.title, phase=i.phase, owner_id=i.owner_id, team_id=i.team_id,
                   deadline=i.deadline, investigation_id=i.investigation_id,
                   moment_id=i.moment_id, checklist=counts[i.id])
        for i in items
    ]
