"""What the programme home shows: the programme overview (tracker/overview, the same figures
as its API) plus the lists a person acts on from here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from markupsafe import Markup
from sqlalchemy.orm import Session

from tracker.actions.models import OPEN_PHASES, ActionItem
from tracker.actions.queries import ActionFilters, list_query
from tracker.overview.schemas import ProgrammeOverview
from tracker.overview.service import programme_overview
from tracker.people.models import Person, Role
from tracker.web.charts import weekly_chart
from tracker.web.charts.programme import week_points

LIST_LENGTH = 10


@dataclass(frozen=True)
class HomePage:
    overview: ProgrammeOverview
    overdue: list[ActionItem]  # the most overdue items first
    mine: list[ActionItem]  # the signed-in owner's open items, by deadline
    weekly_chart: Markup  # the last weeks as SVG; the page's table is its text alternative


def _items(session: Session, filters: ActionFilters, today: date) -> list[ActionItem]:
    stmt = list_query(filters, today=today).order_by(ActionItem.deadline, ActionItem.id).limit(LIST_LENGTH)
    return list(session.scalars(stmt))


def home_page(session: Session, *, person: Person, today: date) -> HomePage:
    mine = (_items(session, ActionFilters(owner_id=person.id, phases=OPEN_PHASES), today)
            if person.role is Role.owner else [])
    overview = programme_overview(session, today=today)
    return HomePage(overview=overview, overdue=_items(session, ActionFilters(overdue=True), today), mine=mine,
                    weekly_chart=weekly_chart(week_points(overview)))
