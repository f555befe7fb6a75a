"""Action items (through the real service, so training and checklist are made as in production)
and the chain above them: map -> step -> friction point (+ customers) -> moment -> investigation."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from tests import factories
from tracker.actions import service
from tracker.actions.models import ActionItem, Priority
from tracker.friction.models import AffectedCustomer, FrictionPoint
from tracker.investigations.models import Investigation
from tracker.journeys.models import Channel, JourneyMap, JourneyStage, JourneyStep, MapKind
from tracker.moments.models import MomentOfTruth
from tracker.people.models import Person, Role

_seq = itertools.count(1)


def journey_step(session: Session) -> JourneyStep:
    n = next(_seq)
    step = JourneyStep(position=0, name=f"Step {n}", channel=Channel.email, emotion_score=-2)
    jmap = JourneyMap(name=f"Map {n}", kind=MapKind.customer, persona="SMB admin",
                      scope_start="Invoice arrives", scope_end="Invoice paid",
                      stages=[JourneyStage(position=0, name="Notice", steps=[step])])
    session.add(jmap)
    session.flush()
    return step


def moment(session: Session, journey_map_id: int | None = None, **fields: Any) -> MomentOfTruth:
    m = MomentOfTruth(title=f"Moment {next(_seq)}", journey_map_id=journey_map_id, **fields)
    session.add(m)
    session.flush()
    return m


def friction(
    session: Session, *, moment_id: int | None, customers: list[tuple[str, str]] | None = None,
    step: JourneyStep | None = None,
) -> FrictionPoint:
    """A friction point with affected customers given as (name, contact)."""
    step = step or journey_step(session)
    jmap_id = session.get(JourneyStage, step.stage_id).journey_map_id  # type: ignore[union-attr]
    fp = FrictionPoint(journey_map_id=jmap_id, step_id=step.id, moment_id=moment_id,
                       title=f"Friction {next(_seq)}",
                       affected_customers=[AffectedCustomer(name=n, contact=c) for n, c in customers or []])
    session.add(fp)
    session.flush()
    return fp


def investigation(
    session: Session, *, moment_id: int, friction_point_id: int | None = None
) -> Investigation:
    inv = Investigation(moment_id=moment_id, friction_point_id=friction_point_id,
                        title=f"Investigation {next(_seq)}")
    session.add(inv)
    session.flush()
    return inv


def action_item(
    session: Session, *, owner: Person | None = None, lead: Person | None = None, **data: Any
) -> ActionItem:
    """An item created by a lead through the service; `data` overrides the defaults."""
    lead = lead or factories.person(session, Role.lead)
    if owner is None and "owner_id" not in data:
        owner = factories.person(session, Role.owner)
    values: dict[str, Any] = {
        "title": f"Action {next(_seq)}", "description": "", "priority": Priority.medium,
        "deadline": date.today() + timedelta(days=14),
    }
    if "team_id" not in data:
        values["team_id"] = factories.team(session).id
    if owner is not None:
        values["owner_id"] = owner.id
    values.update(data)
    item = service.create_action_item(session, actor=lead, data=values)
    session.commit()  # a savepoint release: visible to the app's session
    return item
