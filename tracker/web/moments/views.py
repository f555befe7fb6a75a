"""What the moments pages show: the ranked list with each score taken apart, the matrix, and
one moment with everything hanging off it.

The order under proposed ("what if") weights is computed here by the same functions that
rank the programme (tracker/moments/priority.py and ranking.py), from the stored factors, and
nothing is written: saving goes through tracker/moments/weights.set_weights like
PUT /priority-weights.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.actions.models import CLOSED_PHASES, ActionItem
from tracker.actions.validation import ASSIGNABLE_ROLES
from tracker.activity.models import ActivityEntry
from tracker.activity.service import activity_query
from tracker.friction.models import FrictionPoint
from tracker.investigations.models import Investigation
from tracker.journeys.models import JourneyMap, JourneyStep
from tracker.moments import priority
from tracker.moments.models import MomentOfTruth
from tracker.moments.ranking import RankInput, effective_ranks
from tracker.moments.status import MomentStatus, action_moment_id, statuses_for
from tracker.moments.weights import current_weights, weights_row
from tracker.overview.statuses import all_statuses
from tracker.people.models import Person, Team
from tracker.web.charts import MatrixPoint, priority_matrix


@dataclass(frozen=True)
class RankedMoment:
    moment: MomentOfTruth
    rank: int
    saved_rank: int  # the rank under the saved weights; differs only in a preview
    score: float
    factors: dict[str, int]
    breakdown: dict[str, Any]
    status: MomentStatus

    @property
    def moved(self) -> int:
        """Places gained (positive) or lost under the proposed weights."""
        return self.saved_rank - self.rank


@dataclass(frozen=True)
class Priorities:
    weights: priority.Weights  # the weights the list is ranked with
    saved: priority.Weights
    weights_version: int | None  # None while the defaults from settings apply
    weights_activity: int  # newest activity entry of the weights: the stale-save baseline
    preview: bool
    rows: list[RankedMoment]
    matrix: Markup


def _ranks(moments: list[MomentOfTruth], scores: dict[int, float]) -> dict[int, int]:
    order = effective_ranks([RankInput(m.id, scores[m.id], m.rank_override) for m in moments])
    return {mid: position for position, mid in enumerate(order, start=1)}


def weights_activity(session: Session) -> int:
    entry = session.scalar(activity_query(entity_type="priority_weights")
                           .order_by(ActivityEntry.id.desc()).limit(1))
    return entry.id if entry is not None else 0


def priorities(session: Session, *, defaults: priority.Weights,
               proposed: priority.Weights | None = None) -> Priorities:
    """Every moment ranked under `proposed` (or the saved weights), with the saved rank beside it.

    Moments are few (each one a workshop finding), so all are read and ranked in memory, as
    tracker/moments/queries.py does for the API's list.
    """
    saved = current_weights(session, defaults)
    weights = proposed or saved
    moments = list(session.scalars(select(MomentOfTruth)))
    factors = {m.id: priority.factors_of(m) for m in moments}
    saved_ranks = _ranks(moments, {m.id: m.score for m in moments})
    scores = {m.id: priority.score(factors[m.id], weights) for m in moments}
    ranks = _ranks(moments, scores) if proposed is not None else saved_ranks
    # Every moment's status in one pass over the items, as the programme home counts them: no
    # list of ids to send, and the same rule as statuses_for (tests/overview/test_statuses.py).
    statuses = all_statuses(session)
    rows = sorted((RankedMoment(moment=m, rank=ranks[m.id], saved_rank=saved_ranks[m.id],
                                score=scores[m.id], factors=factors[m.id],
                                breakdown=priority.breakdown(factors[m.id], weights),
                                # (a moment deleted since `moments` was read has no row there)
                                status=statuses.get(m.id, MomentStatus.open)) for m in moments),
                  key=lambda r: r.rank)
    points = [MatrixPoint(moment_id=r.moment.id, title=r.moment.title, rank=r.rank,
                          value=r.breakdown["value"], effort=r.factors["effort"], score=r.score,
                          reach=r.factors["reach"]) for r in rows]
    row = weights_row(session)
    return Priorities(weights=weights, saved=saved, weights_version=row.version if row else None,
                      weights_activity=weights_activity(session), preview=proposed is not None,
                      rows=rows, matrix=priority_matrix(points))


@dataclass(frozen=True)
class FrictionLine:
    point: FrictionPoint
    step: JourneyStep
    journey: JourneyMap


@dataclass(frozen=True)
class MomentPage:
    moment: MomentOfTruth
    rank: int
    status: MomentStatus
    weights: priority.Weights
    breakdown: dict[str, Any]
    factors: dict[str, int]
    journey: JourneyMap | None
    friction: list[FrictionLine]
    investigations: list[Investigation]
    items: list[ActionItem]
    people: dict[int, str]  # id -> name, for owners shown on the page
    overdue: set[int]  # action items past their deadline and still open
    latest_activity_id: int


def moment_page(session: Session, *, moment: MomentOfTruth, defaults: priority.Weights,
                today: date) -> MomentPage:
    weights = current_weights(session, defaults)
    moments = list(session.scalars(select(MomentOfTruth)))
    rank = _ranks(moments, {m.id: m.score for m in moments})[moment.id]
    friction = [FrictionLine(fp, step, journey) for fp, step, journey in session.execute(
        select(FrictionPoint, JourneyStep, JourneyMap)
        .join(JourneyStep, JourneyStep.id == FrictionPoint.step_id)
        .join(JourneyMap, JourneyMap.id == FrictionPoint.journey_map_id)
        .where(FrictionPoint.moment_id == moment.id).order_by(FrictionPoint.id))]
    investigations = list(session.scalars(select(Investigation).where(Investigation.moment_id == moment.id)
                                          .order_by(Investigation.id)))
    items = list(session.scalars(select(ActionItem).where(action_moment_id() == moment.id)
                                 .order_by(ActionItem.deadline, ActionItem.id)))
    people_ids = {i.owner_id for i in items} | {i.owner_id for i in investigations if i.owner_id}
    people = {pid: name for pid, name in session.execute(
        select(Person.id, Person.name).where(Person.id.in_(people_ids)))}
    latest = session.scalar(activity_query(moment_id=moment.id).order_by(ActivityEntry.id.desc()).limit(1))
    factors = priority.factors_of(moment)
    return MomentPage(
        moment=moment, rank=rank, status=statuses_for(session, [moment.id])[moment.id], weights=weights,
        breakdown=priority.breakdown(factors, weights), factors=factors,
        journey=session.get(JourneyMap, moment.journey_map_id) if moment.journey_map_id else None,
        friction=friction, investigations=investigations, items=items, people=people,
        overdue={i.id for i in items if i.deadline < today and i.phase not in CLOSED_PHASES},
        latest_activity_id=latest.id if latest is not None else 0,
    )


def changes_since(session: Session, *, entity_type: str, entity_id: int | None,
                  after_activity_id: int) -> list[ActivityEntry]:
    """What others did after the page was drawn: shown when an edit was stale."""
    stmt = activity_query(entity_type=entity_type, entity_id=entity_id).where(ActivityEntry.id > after_activity_id)
    return list(session.scalars(stmt.order_by(ActivityEntry.id)))


def assignable_people(session: Session) -> list[tuple[int, str]]:
    """Who may own an action item or an investigation: active, and not a viewer."""
    rows = session.execute(select(Person.id, Person.name).where(
        Person.active.is_(True), Person.role.in_(ASSIGNABLE_ROLES)).order_by(Person.name, Person.id))
    return [(pid, name) for pid, name in rows]


def teams(session: Session) -> list[tuple[int, str]]:
    return [(tid, name) for tid, name in session.execute(select(Team.id, Team.name).order_by(Team.name, Team.id))]
