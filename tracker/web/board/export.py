"""The table as CSV (cells guarded against formulas by tracker/web/csv_cells.py)."""

from __future__ import annotations

from collections.abc import Iterable

from tracker.web.board.views import Card
from tracker.web.csv_cells import cell
from tracker.web.csv_cells import to_csv as table_csv

__all__ = ["HEADER", "cell", "row_of", "to_csv"]

HEADER = ("id", "title", "phase", "owner", "team", "deadline", "overdue", "priority", "ticket",
          "ticket state", "people trained", "training target", "customers told", "customers to tell",
          "url")


def row_of(card: Card, base_url: str) -> list[object]:
    item, link, training = card.item, card.link, card.training
    values: list[object] = [
        item.id, item.title, item.phase.value, card.owner, card.team, item.deadline.isoformat(),
        "yes" if card.overdue else "no", item.priority.value,
        link.remote_key if link else "", link.state.value if link else "",
        training.people_trained if training else "", training.target_count if training else "",
        card.told if card.to_tell else "", card.to_tell or "",
        f"{base_url}/app/action-items/{item.id}",
    ]
    return values


def to_csv(cards: Iterable[Card], base_url: str) -> str:
    return table_csv(HEADER, (row_of(card, base_url) for card in cards))
