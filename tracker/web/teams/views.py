"""What the team pages show: the teams with their lead, ticket target and open items; one team
with its nudge policy; the choices its form offers; and what others changed since a page was
drawn (for a stale edit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from tracker.actions.access import is_lead
from tracker.actions.models import OPEN_PHASES, ActionItem
from tracker.activity.models import ActivityEntry
from tracker.activity.service import activity_query
from tracker.errors import InvalidInput
from tracker.nudges import service as nudges
from tracker.nudges.policy import Rules
from tracker.people import service as people
from tracker.people.models import Person, Role, Team
from tracker.people.zones import zone_names
from tracker.sync.models import TargetKind, TicketTarget

EXAMPLE_DAYS = 10  # the preview's example deadline: this many days from today
ACTIVITY_SHOWN = 20
KIND_LABELS = {TargetKind.jira: "Jira project", TargetKind.github: "GitHub repository"}


@dataclass(frozen=True)
class TeamRow:
    team: Team
    lead: str | None
    target: TicketTarget | None
    open_items: int


def team_rows(session: Session) -> list[TeamRow]:
    """Every team (a programme has tens), with its lead's name, target and open item count."""
    counts = dict(session.execute(
        select(ActionItem.team_id, func.count()).where(ActionItem.phase.in_(OPEN_PHASES))
        .group_by(ActionItem.team_id)).all())
    rows = session.execute(
        select(Team, Person.name, TicketTarget)
        .outerjoin(Person, Person.id == Team.lead_id)
        .outerjoin(TicketTarget, TicketTarget.id == Team.ticket_target_id)
        .order_by(func.lower(Team.name), Team.id))
    return [TeamRow(team, lead, target, counts.get(team.id, 0)) for team, lead, target in rows]


def target_label(target: TicketTarget) -> str:
    return f"{target.name} ({KIND_LABELS[target.kind]} {target.project})"


@dataclass(frozen=True)
class Choices:
    """What the team form offers. Leads and admins come first: they can act on an escalation
    from Slack. Owners follow, because a department's head is often an owner (the demo's are)."""

    leads: list[tuple[str, str]]
    owners: list[tuple[str, str]]
    targets: list[tuple[str, str]]
    zones: tuple[str, ...]


def choices(session: Session, *, current_lead_id: int | None = None) -> Choices:
    people_rows = session.scalars(
        select(Person).where(or_(Person.id == current_lead_id,
                                 (Person.active.is_(True)) & (Person.role != Role.viewer)))
        .order_by(func.lower(Person.name), Person.id)).all()
    leads, owners = [], []
    for person in people_rows:
        label = person.name if person.active else f"{person.name} (deactivated)"
        if person.role in (Role.lead, Role.admin):
            leads.append((str(person.id), f"{label}, {person.role.value}"))
        else:
            owners.append((str(person.id), f"{label}, {person.role.value}"))
    targets = [(str(t.id), target_label(t)) for t in
               session.scalars(select(TicketTarget).order_by(func.lower(TicketTarget.name), TicketTarget.id))]
    return Choices(leads=leads, owners=owners, targets=targets, zones=zones())


def check_lead(session: Session, lead_id: int | None, *, current_lead_id: int | None) -> None:
    """The form's lead must be one it offers: an active person who may act (or the current
    lead, kept as they are). A forged choice is named, not saved."""
    if lead_id is None or lead_id == current_lead_id:
        return
    person = session.get(Person, lead_id)
    if person is None:
        raise InvalidInput(f"person {lead_id} does not exist", field="lead_id")
    if not person.active:
        raise InvalidInput(f"{person.name} is deactivated and cannot lead a team", field="lead_id")
    if person.role is Role.viewer:
        raise InvalidInput(f"{person.name} is a viewer and cannot act on an escalation", field="lead_id")


def zones() -> tuple[str, ...]:
    """The timezone suggestions (people's own list, and UTC, which many teams use)."""
    return ("UTC", *zone_names())


@dataclass(frozen=True)
class TeamPage:
    team: Team
    lead: Person | None
    target: TicketTarget | None
    open_items: int
    rules: Rules
    policy_version: int
    can_edit: bool
    activity: list[ActivityEntry]
    latest_activity_id: int

    @property
    def policy_is_default(self) -> bool:
        return self.policy_version == 0


def _activity(session: Session, team_id: int) -> list[ActivityEntry]:
    policy = nudges.policy_row(session, team_id)
    about_team = (ActivityEntry.entity_type == "team") & (ActivityEntry.entity_id == team_id)
    if policy is not None:
        about_team = about_team | ((ActivityEntry.entity_type == "nudge_policy")
                                   & (ActivityEntry.entity_id == policy.id))
    return list(session.scalars(activity_query().where(about_team)
                                .order_by(ActivityEntry.id.desc()).limit(ACTIVITY_SHOWN)))


def team_page(session: Session, *, person: Person, team_id: int) -> TeamPage:
    team = people.get_team(session, team_id)
    rules, version = nudges.get_policy(session, team_id)
    activity = _activity(session, team_id)
    open_items = session.scalar(select(func.count()).select_from(ActionItem).where(
        ActionItem.team_id == team_id, ActionItem.phase.in_(OPEN_PHASES))) or 0
    return TeamPage(
        team=team, lead=session.get(Person, team.lead_id) if team.lead_id else None,
        target=session.get(TicketTarget, team.ticket_target_id) if team.ticket_target_id else None,
        open_items=open_items, rules=rules, policy_version=version, can_edit=is_lead(person),
        activity=activity, latest_activity_id=activity[0].id if activity else 0,
    )


def changes_since(session: Session, *, team_id: int, after_activity_id: int) -> list[ActivityEntry]:
    """What others changed on the team or its policy after the page was drawn."""
    return [entry for entry in reversed(_activity(session, team_id)) if entry.id > after_activity_id]


def default_example(today: date) -> date:
    return today + timedelta(days=EXAMPLE_DAYS)
