"""What the board and its table show: cards read in a few batch queries, never one per card.

The filters are the API's list query (tracker/actions/queries.py), so the board, the table, the
CSV and `GET /action-items` agree on what "overdue" or "journey" mean.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select, union_all
from sqlalchemy.orm import Session

from tracker.actions import phases
from tracker.actions.access import may_edit
from tracker.actions.models import (
    CLOSED_PHASES,
    ActionItem,
    ChecklistEntry,
    NotificationStatus,
    Phase,
    TrainingRecord,
)
from tracker.actions.queries import ActionFilters, list_query
from tracker.activity.models import ActivityEntry
from tracker.journeys.models import JourneyMap
from tracker.moments.models import MomentOfTruth
from tracker.people.models import Person, Role, Team
from tracker.sync.models import TicketLink
from tracker.web.actions.views import PhaseMove, moves_from
from tracker.web.board.forms import BoardQuery, Sort

COLUMNS: tuple[Phase, ...] = (Phase.planned, Phase.implementing, Phase.training, Phase.closing_loop,
                              Phase.done, Phase.blocked, Phase.cancelled)
PER_COLUMN = 28  # 7 columns: at most 196 cards, a page a browser draws quickly
TABLE_ROWS = 200
EXPORT_ROWS = 5000
PHASE_OPTIONS = [(p.value, p.value.replace("_", " ").capitalize()) for p in COLUMNS]
MOMENT_OPTIONS = 300  # the moment filter lists this many (narrow by journey for the rest)
TOLD = (NotificationStatus.notified, NotificationStatus.acknowledged)

ORDER: dict[Sort, tuple[Any, bool]] = {
    Sort.deadline: (ActionItem.deadline, False), Sort.deadline_desc: (ActionItem.deadline, True),
    Sort.by_title: (ActionItem.title, False), Sort.by_title_desc: (ActionItem.title, True),
    Sort.updated: (ActionItem.updated_at, False), Sort.updated_desc: (ActionItem.updated_at, True),
}


@dataclass(frozen=True)
class Card:
    item: ActionItem
    owner: str
    team: str
    overdue: bool
    link: TicketLink | None
    training: TrainingRecord | None  # only when training is needed
    told: int
    to_tell: int  # checklist entries in all
    seen_activity: int
    moves: list[PhaseMove]
    movable: bool


@dataclass(frozen=True)
class Column:
    phase: Phase
    cards: list[Card]
    total: int

    @property
    def hidden(self) -> int:
        return self.total - len(self.cards)


@dataclass(frozen=True)
class Options:
    teams: list[tuple[str, str]]
    owners: list[tuple[str, str]]
    journeys: list[tuple[str, str]]
    moments: list[tuple[str, str]]


def filters_of(query: BoardQuery, *, phase: Phase | None = None) -> ActionFilters:
    chosen = phase or query.phase
    return ActionFilters(owner_id=query.owner, team_id=query.team, moment_id=query.moment,
                         journey_map_id=query.journey, overdue=query.overdue,
                         phases=(chosen,) if chosen else ())


def _ordered(stmt: Select[Any], sort: Sort) -> Select[Any]:
    column, descending = ORDER[sort]
    return stmt.order_by(column.desc(), ActionItem.id.desc()) if descending else stmt.order_by(column, ActionItem.id)


def cards_for(session: Session, person: Person, items: Sequence[ActionItem], *, today: date) -> list[Card]:
    """Everything a card shows, for many items in five queries."""
    ids = [i.id for i in items]
    if not ids:
        return []
    names = dict(session.execute(select(Person.id, Person.name).where(
        Person.id.in_({i.owner_id for i in items}))).all())
    teams = dict(session.execute(select(Team.id, Team.name).where(
        Team.id.in_({i.team_id for i in items}))).all())
    links = {link.action_item_id: link for link in session.scalars(
        select(TicketLink).where(TicketLink.action_item_id.in_(ids)))}
    training = {t.action_item_id: t for t in session.scalars(
        select(TrainingRecord).where(TrainingRecord.action_item_id.in_(ids)))}
    counts: dict[int, dict[NotificationStatus, int]] = {}
    for item_id, status, n in session.execute(
            select(ChecklistEntry.action_item_id, ChecklistEntry.status, func.count())
            .where(ChecklistEntry.action_item_id.in_(ids))
            .group_by(ChecklistEntry.action_item_id, ChecklistEntry.status)):
        counts.setdefault(item_id, {})[NotificationStatus(status)] = n
    seen = dict(session.execute(select(ActivityEntry.action_item_id, func.max(ActivityEntry.id))
                                .where(ActivityEntry.action_item_id.in_(ids))
                                .group_by(ActivityEntry.action_item_id)).all())
    cards = []
    for item in items:
        record = training.get(item.id)
        by_status = counts.get(item.id, {})
        gate = phases.GateState(
            training_needed=bool(record and record.needed),
            training_waived=item.training_waived_reason is not None,
            training_complete=phases.training_complete(record),
            pending_checklist=by_status.get(NotificationStatus.pending, 0),
            checklist_waived=item.checklist_waived_reason is not None)
        moves = moves_from(person, item, gate, phases.allowed_next(item, gate))
        cards.append(Card(
            item=item, owner=names.get(item.owner_id, "?"), team=teams.get(item.team_id, "?"),
            overdue=item.deadline < today and item.phase not in CLOSED_PHASES, link=links.get(item.id),
            training=record if record is not None and record.needed else None,
            told=sum(by_status.get(s, 0) for s in TOLD), to_tell=sum(by_status.values()),
            seen_activity=seen.get(item.id) or 0, moves=moves, movable=may_edit(person, item)))
    return cards


def card_for(session: Session, person: Person, item_id: int, *, today: date) -> Card | None:
    item = session.get(ActionItem, item_id)
    return cards_for(session, person, [item], today=today)[0] if item is not None else None


def column_totals(session: Session, query: BoardQuery, *, today: date) -> dict[Phase, int]:
    matching = list_query(filters_of(query), today=today).subquery()
    rows = session.execute(select(matching.c.phase, func.count()).group_by(matching.c.phase))
    return {Phase(phase): n for phase, n in rows}


def column_items(session: Session, query: BoardQuery, phases: Sequence[Phase], *,
                 today: date) -> list[ActionItem]:
    """The first PER_COLUMN items of each phase by deadline, in one statement: a limited branch
    per phase, each an index range ((phase|owner|team, phase), deadline, id), so a column costs
    the same however many items it holds, and the board one round trip, not one per column."""
    if not phases:
        return []
    firsts = [select(ranked.c.id) for ranked in (
        _ordered(list_query(filters_of(query, phase=phase), today=today).with_only_columns(ActionItem.id),
                 Sort.deadline).limit(PER_COLUMN).subquery()
        for phase in phases)]
    chosen = firsts[0] if len(firsts) == 1 else union_all(*firsts)
    stmt = select(ActionItem).where(ActionItem.id.in_(chosen)).order_by(ActionItem.deadline, ActionItem.id)
    return list(session.scalars(stmt))


def board_columns(session: Session, person: Person, query: BoardQuery, *, today: date) -> list[Column]:
    totals = column_totals(session, query, today=today)
    items = column_items(session, query, [p for p in COLUMNS if totals.get(p)], today=today)
    by_phase: dict[Phase, list[Card]] = {}
    for card in cards_for(session, person, items, today=today):  # the whole board's cards at once
        by_phase.setdefault(card.item.phase, []).append(card)
    return [Column(phase, by_phase.get(phase, []), totals.get(phase, 0)) for phase in COLUMNS]


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
