"""Read models for the training page: every item whose change needs employees trained, with its
audience and progress, and the coverage across the programme and per team. Two queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from tracker.actions.access import may_edit
from tracker.actions.models import ActionItem, Phase, TrainingRecord
from tracker.people.models import Person, Team

ROWS = 200
# The item is in its training phase, or past it: training is under way or should be done.
UNDER_WAY = (Phase.training, Phase.closing_loop, Phase.done)


@dataclass(frozen=True)
class Row:
    item: ActionItem
    training: TrainingRecord
    owner: str
    team: str
    can_record: bool
    overdue: bool

    @property
    def complete(self) -> bool:
        return self.training.target_count > 0 and self.training.people_trained >= self.training.target_count

    @property
    def behind(self) -> bool:
        """In training (or past it) and short of the target."""
        return self.item.phase in UNDER_WAY and not self.complete


@dataclass(frozen=True)
class Coverage:
    label: str
    items: int
    complete: int
    sessions: int
    trained: int
    target: int

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.trained / self.target)) if self.target else 0


def _needing_training() -> tuple[ColumnElement[bool], ...]:
    return (TrainingRecord.needed.is_(True), ActionItem.phase != Phase.cancelled)


def rows(session: Session, person: Person, *, today: date, limit: int = ROWS) -> tuple[list[Row], int]:
    """Items in training first, then by deadline; and how many there are in all."""
    in_training_first = case((ActionItem.phase == Phase.training, 0), else_=1)
    found = session.execute(
        select(ActionItem, TrainingRecord, Person.name, Team.name)
        .join(TrainingRecord, TrainingRecord.action_item_id == ActionItem.id)
        .join(Person, Person.id == ActionItem.owner_id)
        .join(Team, Team.id == ActionItem.team_id)
        .where(*_needing_training())
        .order_by(in_training_first, ActionItem.deadline, ActionItem.id)
        .limit(limit)
    ).all()
    total = session.scalar(select(func.count()).select_from(TrainingRecord)
                           .join(ActionItem, ActionItem.id == TrainingRecord.action_item_id)
                           .where(*_needing_training())) or 0
    return [Row(item, training, owner, team, may_edit(person, item),
                item.deadline < today and item.phase not in (Phase.done, Phase.cancelled))
            for item, training, owner, team in found], total


def coverage(session: Session) -> tuple[Coverage, list[Coverage]]:
    """People trained against the target, for the programme and per team (one grouped query)."""
    complete = case((TrainingRecord.target_count > 0, case(
        (TrainingRecord.people_trained >= TrainingRecord.target_count, 1), else_=0)), else_=0)
    per_team = session.execute(
        select(Team.name, func.count(), func.sum(complete), func.sum(TrainingRecord.sessions_held),
               func.sum(TrainingRecord.people_trained), func.sum(TrainingRecord.target_count))
        .select_from(TrainingRecord)
        .join(ActionItem, ActionItem.id == TrainingRecord.action_item_id)
        .join(Team, Team.id == ActionItem.team_id)
        .where(*_needing_training())
        .group_by(Team.name).order_by(Team.name)
    ).all()
    teams = [Coverage(name, int(n), int(c or 0), int(s or 0), int(t or 0), int(g or 0))
             for name, n, c, s, t, g in per_team]
    programme = Coverage("The programme", sum(t.items for t in teams), sum(t.complete for t in teams),
                         sum(t.sessions for t in teams), sum(t.trained for t in teams),
                         sum(t.target for t in teams))
    return programme, teams
