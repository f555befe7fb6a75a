"""Read queries over a map's friction: each point with its moment of truth and the status of
the action items fixing it, for the journey map page (and any API that wants the same picture).

An action item fixes a friction point when it belongs to the point's moment of truth, or to an
investigation promoted from that very point: the same sources the closed-loop checklist draws
its customers from (`tracker.actions.closed_loop`). Cancelled items fix nothing and are left
out. A whole map costs two queries however many points and items it has.

A pin lists only its most urgent fixes (`SHOWN_FIXES`) and counts the rest (all, overdue, done),
so its status still speaks for every fix while the page draws a few lines per pin.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, select, union
from sqlalchemy.orm import Session

from tracker.actions.models import OPEN_PHASES, ActionItem, Phase
from tracker.friction.models import FrictionPoint
from tracker.investigations.models import Investigation
from tracker.moments.models import MomentOfTruth
from tracker.people.models import Person

SHOWN_FIXES = 5  # a pin lists this many fixes; the rest are counted, not listed


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


@dataclass
class PointFixes:
    """A friction point's fixes: the listed ones, most urgent first, and counts over all of them."""

    listed: list[Fix] = field(default_factory=list)
    total: int = 0
    overdue: int = 0
    done: int = 0



@dataclass(frozen=True)
class FrictionPin:
    """A friction point pinned on its step."""

    id: int
    step_id: int
    title: str
    upstream_cause: str | None
    moment: MomentRef | None  # None until the point is grouped into a moment of truth
    all_fixes: PointFixes = field(default_factory=PointFixes)

    @property
    def severity(self) -> int | None:
        """Severity lives on the moment of truth (friction points are rated when grouped)."""
        return self.moment.severity if self.moment is not None else None

    @property
    def fixes(self) -> list[Fix]:
        """The fixes listed on the pin (at most SHOWN_FIXES unless it was asked for in full)."""
        return self.all_fixes.listed

    @property
    def more(self) -> int:
        """Fixes counted but not listed."""
        return self.all_fixes.total - len(self.all_fixes.listed)

    @property
    def overdue(self) -> int:
        """Overdue fixes, listed or not."""
        return self.all_fixes.overdue

    @property
    def more_overdue(self) -> int:
        """Overdue fixes among those not listed (listed first, so only when more are overdue than listed)."""
        return self.all_fixes.overdue - sum(1 for f in self.all_fixes.listed if f.overdue)

    @property
    def done(self) -> bool:
        return self.all_fixes.total > 0 and self.all_fixes.done == self.all_fixes.total


def fixes_for_map(session: Session, *, journey_map_id: int, today: date, shown: int | None = SHOWN_FIXES,
                  in_full: int | None = None) -> dict[int, PointFixes]:
    """{friction point id: its fixes} for every friction point of one map, in one query: the
    first `shown` of each point's fixes by urgency (None: all), every fix of point `in_full`,
    and each point's counts over all its fixes.

    Urgency: open fixes by deadline, so the overdue ones come first, the most overdue first;
    then the done ones.

    Each branch reads its items' columns itself and starts from the map's few points, so neither
    database joins the whole action item table: re-joining the union to `action_items` by id let
    PostgreSQL, which guesses a moment's items from the programme's average, hash all 100k of
    them; and reaching items through `investigation_id` by a join let SQLite, whose statistics
    count the many items without an investigation as one value, scan that whole index. The
    rows come in urgency order; past the first `shown` of a point they are only counted. (Ranking
    with window functions in SQL instead read fewer rows but cost SQLite more than it saved.)
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
    # Open before done, then by deadline: the overdue first (most overdue first), then the next due.
    rows = session.execute(
        select(links.c.fp_id, links.c.item_id, links.c.title, links.c.phase, links.c.deadline, Person.name)
        .join(Person, Person.id == links.c.owner_id)
        .order_by(links.c.fp_id, case((links.c.phase.in_(OPEN_PHASES), 0), else_=1), links.c.deadline,
                  links.c.item_id)
    )
    fixes: dict[int, PointFixes] = {}
    for fp_id, item_id, title, phase, deadline, owner in rows:
        found = fixes.get(fp_id)
        if found is None:
            found = fixes[fp_id] = PointFixes()
        is_open = phase in OPEN_PHASES
        overdue = is_open and deadline < today
        found.total += 1
        found.overdue += overdue
        found.done += phase is Phase.done
        if shown is None or len(found.listed) < shown or fp_id == in_full:
            found.listed.append(Fix(item_id=item_id, title=title, phase=phase, deadline=deadline,
                                    overdue=overdue, owner_name=owner))
    return fixes


def pins_for_map(session: Session, *, journey_map_id: int, today: date,
                 in_full: int | None = None) -> dict[int, list[FrictionPin]]:
    """{step id: its friction pins, oldest first} for one map: the points with their moment and
    fixes, each listing its SHOWN_FIXES most urgent ones (point `in_full`: all of them), in two
    queries for the whole map."""
    rows = session.execute(
        select(FrictionPoint.id, FrictionPoint.step_id, FrictionPoint.title, FrictionPoint.upstream_cause,
               MomentOfTruth.id, MomentOfTruth.title, MomentOfTruth.severity)
        .outerjoin(MomentOfTruth, MomentOfTruth.id == FrictionPoint.moment_id)
        .where(FrictionPoint.journey_map_id == journey_map_id)
        .order_by(FrictionPoint.id)
    )
    fixes = fixes_for_map(session, journey_map_id=journey_map_id, today=today, in_full=in_full)
    pins: dict[int, list[FrictionPin]] = defaultdict(list)
    for fp_id, step_id, title, cause, moment_id, moment_title, severity in rows:
        moment = MomentRef(moment_id, moment_title, severity) if moment_id is not None else None
        pins[step_id].append(FrictionPin(id=fp_id, step_id=step_id, title=title, upstream_cause=cause,
                                         moment=moment, all_fixes=fixes.get(fp_id) or PointFixes()))
    return dict(pins)
