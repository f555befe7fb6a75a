"""Read models for the activity page: a page of entries with what they are about, the filter
choices, and the rows of the CSV. Built on tracker.activity.service.activity_query, the API's
own filters, newest first by id (the log is append-only, so ids are in time order). Each row's
changes are those its reader may see (tracker.activity.visibility), for the page and the CSV alike."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from tracker.actions.models import ActionItem
from tracker.activity.models import ActivityEntry
from tracker.activity.service import activity_query
from tracker.activity.source import Source
from tracker.activity.visibility import visible_changes
from tracker.moments.models import MomentOfTruth
from tracker.people.models import Person, Role
from tracker.web.activity.forms import ActivityQuery

PAGE_ROWS = 100
EXPORT_ROWS = 5000
MOMENT_OPTIONS = 300
SOURCE_LABELS = {Source.api: "API", Source.web: "Web workspace", Source.slack: "Slack", Source.jira: "Jira",
                 Source.github: "GitHub", Source.system: "The tracker itself"}


@dataclass(frozen=True)
class Row:
    entry: ActivityEntry
    item_title: str | None
    moment_title: str | None
    changes: dict[str, Any]  # what of the entry's changes the reader may see

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(Source(self.entry.source), self.entry.source)


@dataclass(frozen=True)
class Options:
    people: list[tuple[str, str]]
    moments: list[tuple[str, str]]
    sources: list[tuple[str, str]]


def _filtered(query: ActivityQuery) -> Select[ActivityEntry]:
    return activity_query(actor_id=query.person, action_item_id=query.item, moment_id=query.moment,
                          source=query.source)


def entries(session: Session, query: ActivityQuery, *, reader: Role,
            limit: int = PAGE_ROWS) -> tuple[list[Row], int | None]:
    """One page as `reader` may see it, newest first, and the id to page back from (None on the
    last page)."""
    stmt = _filtered(query)
    if query.before is not None:
        stmt = stmt.where(ActivityEntry.id < query.before)
    found = list(session.scalars(stmt.order_by(ActivityEntry.id.desc()).limit(limit + 1)))
    older = found[limit - 1].id if len(found) > limit else None
    return _with_titles(session, found[:limit], reader), older


def _with_titles(session: Session, found: list[ActivityEntry], reader: Role) -> list[Row]:
    """Each entry with its item's and moment's titles: two queries for the whole page."""
    item_ids = {e.action_item_id for e in found if e.action_item_id}
    moment_ids = {e.moment_id for e in found if e.moment_id}
    items: dict[int, str] = {}
    moments: dict[int, str] = {}
    if item_ids:
        items = {i: t for i, t in session.execute(
            select(ActionItem.id, ActionItem.title).where(ActionItem.id.in_(item_ids)))}
    if moment_ids:
        moments = {i: t for i, t in session.execute(
            select(MomentOfTruth.id, MomentOfTruth.title).where(MomentOfTruth.id.in_(moment_ids)))}
    return [Row(e, items.get(e.action_item_id or 0), moments.get(e.moment_id or 0), visible_changes(e, reader))
            for e in found]


def options(session: Session) -> Options:
    return Options(
        people=[(str(i), n) for i, n in session.execute(select(Person.id, Person.name).order_by(Person.name))],
        moments=[(str(i), t) for i, t in session.execute(
            select(MomentOfTruth.id, MomentOfTruth.title).order_by(MomentOfTruth.title).limit(MOMENT_OPTIONS))],
        sources=[(s.value, label) for s, label in SOURCE_LABELS.items()],
    )


CSV_HEADER = ("id", "at (UTC)", "source", "who", "action", "about", "about id", "action item id",
              "action item", "moment id", "moment", "changes")


def csv_rows(rows: Iterable[Row], change_text: Callable[[dict[str, Any]], str]) -> Iterable[list[object]]:
    for row in rows:
        e = row.entry
        yield [e.id, e.at.strftime("%Y-%m-%d %H:%M:%S"), e.source, e.actor_label, e.action, e.entity_type,
               e.entity_id, e.action_item_id or "", row.item_title or "", e.moment_id or "",
               row.moment_title or "", change_text(row.changes) if row.changes else ""]
