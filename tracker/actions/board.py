"""The action board's data: items in columns by phase, each column's count and its nearest
deadlines, and what a card shows (owner, team, ticket, training and closed-loop progress), read
in a few batch queries, never one per card. The board page (`/app/board`) and the API
(`GET /board`) both show it; the filters are the list query's (tracker/actions/queries.py), so
the board, its table, its CSV and `GET /action-items` agree on what "overdue" or "journey" mean.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select, union_all
from sqlalchemy.orm import Session

from tracker.actions import phases
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
from tracker.people.models import Person, Team
from tracker.sync.models import TicketLink

COLUMNS: tuple[Phase, ...] = (Phase.planned, Phase.implementing, Phase.training, Phase.closing_loop,
                              Phase.done, Phase.blocked, Phase.cancelled)
PER_COLUMN = 28  # 7 columns: at most 196 cards, a page a browser draws quickly
TOLD = (NotificationStatus.notified, NotificationStatus.acknowledged)


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
    gate: phases.GateState  # what the done gate sees (the page offers moves from it)


@dataclass(frozen=True)
class Column:
    phase: Phase
    cards: Sequence[Card]
    total: int

    @property
    def hidden(self) -> int:
        return self.total - len(self.cards)


def by_deadline(stmt: Select[Any]) -> Select[Any]:
    return stmt.order_by(ActionItem.deadline, ActionItem.id)


def cards_for(session: Session, items: Sequence[ActionItem], *, today: date) -> list[Card]:
    """Everything a card shows, for many items in six queries."""
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
        gate = phases.gate_of(item, record, by_status.get(NotificationStatus.pending, 0))
        cards.append(Card(
            item=item, owner=names.get(item.owner_id, "?"), team=teams.get(item.team_id, "?"),
            overdue=item.deadline < today and item.phase not in CLOSED_PHASES, link=links.get(item.id),
            training=record if record is not None and record.needed else None,
            told=sum(by_status.get(s, 0) for s in TOLD), to_tell=sum(by_status.values()),
            seen_activity=seen.get(item.id) or 0, gate=gate))
    return cards


def column_totals(session: Session, filters: ActionFilters, *, today: date) -> dict[Phase, int]:
    matching = list_query(filters, today=today).subquery()
    rows = session.execute(select(matching.c.phase, func.count()).group_by(matching.c.phase))
    return {Phase(phase): n for phase, n in rows}


def column_items(session: Session, filters: ActionFilters, columns: Sequence[Phase], *,
                 today: date) -> list[ActionItem]:
    """The first PER_COLUMN items of each phase by deadline, in one statement: a limited branch
    per phase, each an index range ((phase|owner|team, phase), deadline, id), so a column costs
    the same however many items it holds, and the board one round trip, not one per column."""
    if not columns:
        return []
    firsts = [select(ranked.c.id) for ranked in (
        by_deadline(list_query(replace(filters, phases=(phase,)), today=today)
                    .with_only_columns(ActionItem.id)).limit(PER_COLUMN).subquery()
        for phase in columns)]
    chosen = firsts[0] if len(firsts) == 1 else union_all(*firsts)
    stmt = select(ActionItem).where(ActionItem.id.in_(chosen)).order_by(ActionItem.deadline, ActionItem.id)
    return list(session.scalars(stmt))


def board_columns(session: Session, filters: ActionFilters, *, today: date) -> list[Column]:
    """Every phase's column: its count of matching items and its PER_COLUMN nearest deadlines.
    `filters.phases` is ignored: each column is its phase."""
    filters = replace(filters, phases=())
    totals = column_totals(session, filters, today=today)
    items = column_items(session, filters, [p for p in COLUMNS if totals.get(p)], today=today)
    by_phase: dict[Phase, list[Card]] = {}
    for card in cards_for(session, items, today=today):  # the whole board's cards at once
        by_phase.setdefault(card.item.phase, []).append(card)
    return [Column(phase, by_phase.get(phase, []), totals.get(phase, 0)) for phase in COLUMNS]
