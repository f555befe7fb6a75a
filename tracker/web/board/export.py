"""The table as CSV. Spreadsheets run a cell that starts with = + - @ (or a tab/CR that hides
one) as a formula: such text gets a leading apostrophe, so a hostile title stays text."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from tracker.web.board.views import Card

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HEADER = ("id", "title", "phase", "owner", "team", "deadline", "overdue", "priority", "ticket",
          "ticket state", "people trained", "training target", "customers told", "customers to tell",
          "url")


def cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def row_of(card: Card, base_url: str) -> list[str]:
    item, link, training = card.item, card.link, card.training
    values: list[object] = [
        item.id, item.title, item.phase.value, card.owner, card.team, item.deadline.isoformat(),
        "yes" if card.overdue else "no", item.priority.value,
        link.remote_key if link else "", link.state.value if link else "",
        training.people_trained if training else "", training.target_count if training else "",
        card.told if card.to_tell else "", card.to_tell or "",
        f"{base_url}/app/action-items/{item.id}",
    ]
    return [cell(v) for v in values]


def to_csv(cards: Iterable[Card], base_url: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for card in cards:
        writer.writerow(row_of(card, base_url))
    return out.getvalue()
