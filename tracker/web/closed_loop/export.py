"""The queue as CSV for mail-merge tools: one row per person, so each is told once.

Spreadsheets run a cell that starts with = + - @ (or a tab/CR that hides one) as a formula;
tracker.web.board.export.cell gives such text a leading apostrophe, as the board's CSV does.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from tracker.closed_loop.queue import CustomerGroup
from tracker.web.board.export import cell

EXPORT_CUSTOMERS = 10_000
HEADER = ("customer_name", "contact", "channel", "message", "fixes", "action_item_ids", "entries")


def row_of(group: CustomerGroup) -> list[str]:
    entries = group.entries
    values: list[object] = [
        group.customer_name, group.contact, group.channel.value, group.draft,
        " | ".join(e.item_title for e in entries),
        " ".join(str(e.item_id) for e in entries),
        # id:version, as POST /closed-loop/marks takes them back once the mail went out
        " ".join(f"{e.id}:{e.version}" for e in entries),
    ]
    return [cell(v) for v in values]


def to_csv(groups: Iterable[CustomerGroup]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for group in groups:
        writer.writerow(row_of(group))
    return out.getvalue()
