"""Read queries over a map's friction: each point with its moment of truth and the status of
the action items fixing it, for the journey map page (and any API that wants the same picture).

An action item fixes a friction point when it belongs to the point's moment of truth, or to an
investigation promoted from that very point: the same sources the closed-loop checklist draws
its customers from (`tracker.actions.closed_loop`). Cancelled items fix nothing and are left
out. A whole map costs two queries however many points and items it has.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from tracker.actions.models import OPEN_PHASES, ActionItem, Phase
from tracker.friction.models import FrictionPoint
from tracker.investigations.models import Investigation
from tracker.moments.models import MomentOfTruth
from tracker.people.models import Person

# Phases in the order work moves through them: a pin lists its fixes furthest-behind first.
PHASE_ORDER = {phase: i for i, phase in enumerate(
    (Phase.blocked, Phase.planned, Phase.implementing, Phase.training, Phase.closing_loop, Phase.done))}


@dataclass(frozen=True)
class Fix:
    """One action item working on a friction point, as a pin shows it."""

    item_id: int
    title: str
    phase: Phase
    deadline: date
    overdue: bool  # deadline passed and still open
    owner_name: str


@dataclass(frozen=True)
class MomentRef:
    id: int
    title: str
    severity: int  # the moment's severity factor, 1..5


@dataclass(frozen=True)
class FrictionPin:
    """A friction point pinned on its step."""

    id: int
    step_id: int
    title: str
    upstream_cause: str | None
    moment: MomentRef | None  # None until the point is grouped into a moment of truth
    fixes: list[Fix] = field(default_factory=list)

    @property
    def severity(self) -> int | None:
        """Severity lives on the moment of truth (friction points are rated when grouped)."""
        return self.moment.severity if self.moment is not None else None

    @property
    def overdue(self) -> int:
        return sum(1 for f in self.fixes if f.overdue)

    @property
    def done(self) -> bool:
        return bool(self.fixes) and all(f.phase is Phase.done for f in self.fixes)


def fixes_for_map(session: Session, *, journey_map_id: int, today: date) -> dict[int, list[Fix]]:
    """{friction point id: its fixes} for every friction point of one map, in one query.

    Each branch reads its items' columns itself and starts from the map's few points, so neither
    database joins the whole action item table: re-joining the union to `action_items` by id let
    PostgreSQL, which guesses a moment's items from the programme's average, hash all 100k of
    them; and reaching items through `investigation_id` by a join let SQLite, whose statistics
    count the many items without an investigation as one value, scan that whole index.
    """
    columns = (ActionItem.id.label("item_id"), ActionItem.title, ActionItem.phase, ActionItem.deadline,
               ActionItem.owner_id)
    live = ActionItem.phase != Phase.cancelled
    via_moment = (
        select(FrictionPoint.id.label("fp_id"), *columns)
        .join(ActionItem, ActionItem.moment_id == FrictionPoint.moment_id)
        .where(FrictionPoint.journey_map_id == journey_map_id, live)
    )
    promoted = (select(Investigation.id).join(FrictionPoint, FrictionPoint.id == Investigation.friction_point_id)
                .where(FrictionPoint.journey_map_id == journey_map_id))
    via_investigation = (
        select(Investigation.friction_point_id.label("fp_id"), *columns)
        .join(Investigation, Investigation.id == ActionItem.investigation_id)
        .where(ActionItem.investigation_id.in_(promoted), live)
    )
    links = union(via_moment, via_investigation).subquery()  # an item found both ways counts once
    rows = session.execute(
        select(links.c.fp_id, links.c.item_id, links.c.title, links.c.phase, links.c.deadline, Person.name)
        .join(Person, Person.id == links.c.owner_id)
        .order_by(links.c.fp_id, links.c.deadline, links.c.item_id)
    )
    fixes: dict[int, list[Fix]] = defaultdict(list)
    for fp_id, item_id, title, phase, deadline, owner in rows:
        fixes[fp_id].append(Fix(item_id=item_id, title=title, phase=phase, deadline=deadline,
                                overdue=phase in OPEN_PHASES and deadline < today, owner_name=owner))
    for listed in fixes.values():
        listed.sort(key=lambda f: (not f.overdue, PHASE_ORDER.get(f.phase, 0), f.deadline, f.item_id))
    return dict(fixes)


def pins_for_map(session: Session, *, journey_map_id: int, today: date) -> dict[int, list[FrictionPin]]:
    """{step id: its friction pins, oldest first} for one map: the points with their moment and
    fixes (two queries for the whole map)."""
    rows = session.execute(
        select(FrictionPoint.id, FrictionPoint.step_id, FrictionPoint.title, FrictionPoint.upstream_cause,
               MomentOfTruth.id, MomentOfTruth.title, MomentOfTruth.severity)
        .outerjoin(MomentOfTruth, MomentOfTruth.id == FrictionPoint.moment_id)
        .where(FrictionPoint.journey_map_id == journey_map_id)
        .order_by(FrictionPoint.id)
    )
    fixes = fixes_for_map(session, journey_map_id=journey_map_id, today=today)
    pins: dict[int, list[FrictionPin]] = defaultdict(list)
    for fp_id, step_id, title, cause, moment_id, moment_title, severity in rows:
        moment = MomentRef(moment_id, moment_title, severity) if moment_id is not None else None
        pins[step_id].append(FrictionPin(id=fp_id, step_id=step_id, title=title, upstream_cause=cause,
                                         moment=moment, fixes=fixes.get(fp_id, [])))
    return dict(pins)
