"""`GET /board`: the action board's columns as the board page shows them (tracker/actions/board.py)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from tracker.actions.board import Card, Column
from tracker.actions.models import Phase
from tracker.actions.schemas import ActionItemOut
from tracker.sync.schemas import LinkOut


class CardTrainingOut(BaseModel):
    people_trained: int
    target_count: int


class BoardCardOut(BaseModel):
    item: ActionItemOut
    owner: str = Field(description="The owner's name.")
    team: str = Field(description="The team's name.")
    overdue: bool
    ticket: LinkOut | None
    training: CardTrainingOut | None = Field(description="Only when the item needs training.")
    customers_told: int
    customers_to_tell: int = Field(description="Closed-loop checklist entries in all.")


class BoardColumnOut(BaseModel):
    phase: Phase
    total: int = Field(description="Matching items in this phase.")
    cards: list[BoardCardOut] = Field(description="Its 28 nearest deadlines.")


class BoardOut(BaseModel):
    columns: list[BoardColumnOut]


def card_out(card: Card) -> BoardCardOut:
    training = card.training
    return BoardCardOut(
        item=ActionItemOut.model_validate(card.item), owner=card.owner, team=card.team, overdue=card.overdue,
        ticket=LinkOut.model_validate(card.link) if card.link is not None else None,
        training=(CardTrainingOut(people_trained=training.people_trained, target_count=training.target_count)
                  if training is not None else None),
        customers_told=card.told, customers_to_tell=card.to_tell)


def board_out(columns: list[Column]) -> BoardOut:
    return BoardOut(columns=[BoardColumnOut(phase=c.phase, total=c.total, cards=[card_out(x) for x in c.cards])
                             for c in columns])
