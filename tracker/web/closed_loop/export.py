"""The queue as CSV for mail-merge tools: one row per person, so each is told once. Cells are
guarded against spreadsheet formulas by tracker/web/csv_cells.py, as every download is."""

from __future__ import annotations

from collections.abc import Iterable

from tracker.closed_loop.queue import CustomerGroup
from tracker.web.csv_cells import to_csv as guarded_csv

EXPORT_CUSTOMERS = 10_000
HEADER = ("customer_name", "contact", "channel", "message", "fixes", "action_item_ids", "entries")


def row_of(group: CustomerGroup) -> list[object]:
    entries = group.entries
    return [
        group.customer_name, group.contact, group.channel.value, group.draft,
        " | ".join(e.item_title for e in entries),
        " ".join(str(e.item_id) for e in entries),
        # id:version, as POST /closed-loop/marks takes them back once the mail went out
        " ".join(f"{e.id}:{e.version}" for e in entries),
    ]


def to_csv(groups: Iterable[CustomerGroup]) -> str:
    return guarded_csv(HEADER, (row_of(g) for g in groups))
