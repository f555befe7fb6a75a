"""What the investigation pages show: one investigation with its moment and owner, and across
the programme the root causes as a Pareto chart (tracker/overview/insights.root_causes, the
figures of GET /programme/root-causes)."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.activity.models import ActivityEntry
from tracker.activity.service import activity_query
from tracker.investigations.models import Investigation
from tracker.investigations.service import get_investigation, is_lead
from tracker.moments.models import MomentOfTruth
from tracker.overview.insights import root_causes
from tracker.overview.schemas import RootCauses
from tracker.people.models import Person, Role
from tracker.web.charts import ParetoBar, pareto_chart

CATEGORY_LABELS = {"department": "Department", "process": "Process", "tool": "Tool", "policy": "Policy"}
LIST_LIMIT = 500  # investigations are workshop-sized; a programme with more pages through the API


@dataclass(frozen=True)
class InvestigationRow:
    investigation: Investigation
    moment_title: str
    owner_name: str | None


@dataclass(frozen=True)
class ListPage:
    causes: RootCauses
    chart: Markup
    rows: list[InvestigationRow]


def may_edit(person: Person, inv: Investigation) -> bool:
    """The service's rule: a lead, or the investigation's owner (never a viewer)."""
    return person.role is not Role.viewer and (is_lead(person) or inv.owner_id == person.id)


def list_page(session: Session) -> ListPage:
    causes = root_causes(session)
    bars = [ParetoBar(CATEGORY_LABELS.get(c.category.value, c.category.value), c.count)
            for c in causes.by_category]
    rows = [InvestigationRow(inv, title, name) for inv, title, name in session.execute(
        select(Investigation, MomentOfTruth.title, Person.name)
        .join(MomentOfTruth, MomentOfTruth.id == Investigation.moment_id)
        .outerjoin(Person, Person.id == Investigation.owner_id)
        .order_by(Investigation.id.desc()).limit(LIST_LIMIT))]
    return ListPage(causes=causes, chart=pareto_chart(bars), rows=rows)


@dataclass(frozen=True)
class InvestigationPage:
    investigation: Investigation
    moment: MomentOfTruth
    owner: Person | None
    can_edit: bool
    latest_activity_id: int
    activity: list[ActivityEntry]


def investigation_page(session: Session, *, person: Person, investigation_id: int) -> InvestigationPage:
    inv = get_investigation(session, investigation_id)
    moment = session.get(MomentOfTruth, inv.moment_id)
    assert moment is not None  # the foreign key cascades
    activity = list(session.scalars(activity_query(entity_type="investigation", entity_id=inv.id)
                                    .order_by(ActivityEntry.id.desc()).limit(30)))
    return InvestigationPage(
        investigation=inv, moment=moment,
        owner=session.get(Person, inv.owner_id) if inv.owner_id else None,
        can_edit=may_edit(person, inv), latest_activity_id=activity[0].id if activity else 0,
        activity=activity,
    )


def changes_since(session: Session, *, investigation_id: int, after_activity_id: int) -> list[ActivityEntry]:
    stmt = activity_query(entity_type="investigation", entity_id=investigation_id)
    return list(session.scalars(stmt.where(ActivityEntry.id > after_activity_id).order_by(ActivityEntry.id)))
