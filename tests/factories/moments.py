"""Moments of truth, investigations and (directly inserted) action items for tests."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from tests import factories
from tests.factories import journeys
from tracker.actions.models import ActionItem, Phase, Priority
from tracker.config import PriorityWeights
from tracker.friction.models import FrictionPoint
from tracker.investigations.models import Investigation, InvestigationStatus
from tracker.moments import priority
from tracker.moments.models import MomentOfTruth
from tracker.people.models import Person, Role

_seq = itertools.count(1)
DEFAULT_WEIGHTS = priority.Weights.of(PriorityWeights())


def moment(session: Session, **fields: Any) -> MomentOfTruth:
    """A moment whose stored score matches its factors under the default weights."""
    n = next(_seq)
    values: dict[str, Any] = {"title": f"Moment {n}", "description": ""}
    values.update({name: 3 for name in priority.FACTORS})
    values.update(fields)
    if "score" not in fields:
        values["score"] = priority.score({k: values[k] for k in priority.FACTORS}, DEFAULT_WEIGHTS)
    m = MomentOfTruth(**values)
    session.add(m)
    session.flush()
    return m


def friction(session: Session, *, customers: int = 0, **fields: Any) -> FrictionPoint:
    """A friction point on the first step of a fresh journey map."""
    jmap = journeys.journey_map(session)
    return journeys.friction_point(session, journeys.steps_of(jmap)[0], customers=customers,
                                   **fields)


def investigation(session: Session, moment_: MomentOfTruth, **fields: Any) -> Investigation:
    n = next(_seq)
    values: dict[str, Any] = {"title": f"Investigation {n}", "moment_id": moment_.id,
                              "hypotheses": [], "findings": "",
                              "status": InvestigationStatus.open}
    values.update(fields)
    inv = Investigation(**values)
    session.add(inv)
    session.flush()
    return inv


def action_item(
    session: Session, *, moment_: MomentOfTruth | None = None, phase: Phase = Phase.planned,
    owner: Person | None = None, **fields: Any,
) -> ActionItem:
    """Inserted as a row: status tests must not depend on the actions service's rules."""
    n = next(_seq)
    owner = owner or factories.person(session, Role.owner)
    values: dict[str, Any] = {
        "title": f"Action {n}", "moment_id": moment_.id if moment_ else None,
        "team_id": factories.team(session).id, "owner_id": owner.id,
        "deadline": date.today() + timedelta(days=14), "priority": Priority.medium,
        "phase": phase,
    }
    values.update(fields)
    item = ActionItem(**values)
    session.add(item)
    session.flush()
    return item
