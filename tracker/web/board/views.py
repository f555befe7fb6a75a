"""What the board page and its table show: the board's columns and cards (tracker/actions/board.py,
which `GET /board` also reads) with the moves the signed-in person may make, the table's rows
and the filter form's choices. The filters are the API's list query (tracker/actions/queries.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from tracker.actions import board, phases
from tracker.actions.access import may_edit
from tracker.actions.models import ActionItem
from tracker.actions.queries import ActionFilters, list_query
from tracker.journeys.models import JourneyMap
from tracker.moments.models import MomentOfTruth
from tracker.people.models import Person, Role, Team
from tracker.web.actions.views import PhaseMove, moves_from
from tracker.web.board.forms import BoardQuery, Sort

TABLE_ROWS = 200
EXPORT_ROWS = 5000
PHASE_OPTIONS = [(p.value, p.value.replace("_", " ").capitalize()) for p in board.COLUMNS]
MOMENT_OPTIONS = 300  # the moment filter lists this many (narrow by journey for the rest)

ORDER: dict[Sort, tuple[Any, bool]] = {
    Sort.deadline: (ActionItem.deadline, False), Sort.deadline_desc: (ActionItem.deadline, True),
    Sort.by_title: (ActionItem.title, False), Sort.by_title_desc: (ActionItem.title, True),
    Sort.updated: (ActionItem.updated_at, False), Sort.updated_desc: (ActionItem.updated_at, True),
}


@dataclass(frozen=True)
class Card(board.Card):
    """A board card with what the signed-in person may do with it."""

    moves: list[PhaseMove]
    movable: bool


@dataclass(frozen=True)
class Options:
    teams: list[tuple[str, str]]
    owners: list[tuple[str, str]]
    journeys: list[tuple[str, str]]
    moments: list[tuple[str, str]]


def filters_of(query: BoardQuery) -> ActionFilters:
    return ActionFilters(owner_id=query.owner, team_id=query.team, moment_id=query.moment,
                         journey_map_id=query.journey, overdue=query.overdue,
                         phases=(query.phase,) if query.phase else ())


def _ordered(stmt: Select[Any], sort: Sort) -> Select[Any]:
    column, descending = ORDER[sort]
    return stmt.order_by(column.desc(), ActionItem.id.desc()) if descending else stmt.order_by(column, ActionItem.id)


def for_person(person: Person, cards: Sequence[board.Card]) -> list[Card]:
    """The cards with the moves the person may make (none on another owner's card)."""
    return [Card(**{f.name: getattr(c, f.name) for f in fields(c)},
                 moves=moves_from(person, c.item, c.gate, phases.allowed_next(c.item, c.gate)),
                 movable=may_edit(person, c.item)) for c in cards]


def cards_for(session: Session, person: Person, items: Sequence[ActionItem], *, today: date) -> list[Card]:
    return for_person(person, board.cards_for(session, items, today=today))


def card_for(session: Session, person: Person, item_id: int, *, today: date) -> Card | None:
    item = session.get(ActionItem, item_id)
    return cards_for(session, person, [item], today=today)[0] if item is not None else None


def board_columns(session: Session, person: Person, query: BoardQuery, *, today: date) -> list[board.Column]:
    return [board.Column(c.phase, for_person(person, c.cards), c.total)
            for c in board.board_columns(session, filters_of(query), today=today)]


def table_items(session: Session, query: BoardQuery, *, today: date, limit: int) -> list[ActionItem]:
    stmt = _ordered(list_query(filters_of(query), today=today), query.sort)
    return list(session.scalars(stmt.limit(limit)))


def table_total(session: Session, query: BoardQuery, *, today: date) -> int:
    matching = list_query(filters_of(query), today=today).subquery()
    return session.scalar(select(func.count()).select_from(matching)) or 0


def _pairs(rows: Any) -> list[tuple[str, str]]:
    return [(str(i), str(label)) for i, label in rows]


def options(session: Session, query: BoardQuery) -> Options:
    """The filter form's choices. Moments are many: with a journey chosen, that journey's."""
    moments = select(MomentOfTruth.id, MomentOfTruth.title)
    if query.journey is not None:
        moments = moments.where(MomentOfTruth.journey_map_id == query.journey)
    return Options(
        teams=_pairs(session.execute(select(Team.id, Team.name).order_by(Team.name))),
        owners=_pairs(session.execute(select(Person.id, Person.name).where(
            Person.role != Role.viewer, Person.active.is_(True)).order_by(Person.name))),
        journeys=_pairs(session.execute(select(JourneyMap.id, JourneyMap.name).order_by(JourneyMap.name))),
        moments=_pairs(session.execute(moments.order_by(MomentOfTruth.title).limit(MOMENT_OPTIONS))),
    )
