"""People (who owns, leads and reads) and teams (the owning departments)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.activity.service import apply_changes, record
from tracker.api.versioning import check_version
from tracker.errors import Conflict, Forbidden, InvalidInput, NotFound
from tracker.people.identities import ensure_free
from tracker.people.models import Person, Role, Team
from tracker.sync.models import TicketTarget

# What a person may change on their own profile; the rest is an admin's call. Vendor identities
# are not here: claiming a colleague's Jira account would move their items to you through sync.
SELF_EDITABLE = {"name", "timezone"}


def get_person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("person", person_id)
    return person


def find_by_email(session: Session, email: str) -> Person | None:
    return session.scalar(select(Person).where(Person.email == email.strip().lower()))


def create_person(session: Session, *, actor: Person | None, data: dict[str, Any]) -> Person:
    email = data["email"].strip().lower()
    if find_by_email(session, email):
        raise Conflict(f"a person with email {email} already exists", field="email")
    ensure_free(session, data=data, person_id=None)
    person = Person(**{**data, "email": email})
    session.add(person)
    session.flush()
    record(session, actor=actor, entity_type="person", entity_id=person.id, action="created",
           changes={"email": email, "role": person.role})
    return person


def update_person(
    session: Session, *, actor: Person, person_id: int, expected_version: int, data: dict[str, Any]
) -> Person:
    person = get_person(session, person_id)
    if actor.role is not Role.admin:
        if actor.id != person.id:
            raise Forbidden("only an admin may edit another person")
        refused = sorted(set(data) - SELF_EDITABLE)
        if refused:
            raise Forbidden(f"only an admin may change {', '.join(refused)}", field=refused[0])
    check_version(person, expected_version, "person")
    ensure_free(session, data=data, person_id=person.id)
    _keep_an_admin(session, person, data)
    changes = apply_changes(person, data)
    if changes:
        session.flush()
        record(session, actor=actor, entity_type="person", entity_id=person.id, action="updated",
               changes=changes)
    return person


def _keep_an_admin(session: Session, person: Person, data: dict[str, Any]) -> None:
    """Refuse the change that would leave nobody able to administer the tracker (no API call
    makes an admin, so the last one stepping down would lock everyone out of admin work)."""
    if person.role is not Role.admin or not person.active:
        return
    if data.get("role") not in (None, Role.admin):
        field = "role"
    elif data.get("active") is False:
        field = "active"
    else:
        return
    others = session.scalar(select(func.count()).select_from(Person).where(
        Person.role == Role.admin, Person.active.is_(True), Person.id != person.id))
    if not others:
        raise Conflict(f"{person.name} (person {person.id}) is the last active admin; make someone "
                       "else an admin first", field=field)


def get_team(session: Session, team_id: int) -> Team:
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound("team", team_id)
    return team


def _check_refs(session: Session, data: dict[str, Any]) -> None:
    lead_id = data.get("lead_id")
    if lead_id is not None and session.get(Person, lead_id) is None:
        raise InvalidInput(f"person {lead_id} does not exist", field="lead_id")
    target_id = data.get("ticket_target_id")
    if target_id is not None and session.get(TicketTarget, target_id) is None:
        raise InvalidInput(f"ticket target {target_id} does not exist", field="ticket_target_id")


def _ensure_name_free(session: Session, name: str, *, team_id: int | None) -> None:
    # Compared without case: "Billing" and "billing" would read as one team in every list.
    stmt = select(func.count()).where(func.lower(Team.name) == name.lower())
    if team_id is not None:
        stmt = stmt.where(Team.id != team_id)
    if session.scalar(stmt):
        raise Conflict(f"a team named {name!r} already exists", field="name")


def create_team(session: Session, *, actor: Person, data: dict[str, Any]) -> Team:
    _check_refs(session, data)
    _ensure_name_free(session, data["name"], team_id=None)
    team = Team(**data)
    session.add(team)
    session.flush()
    record(session, actor=actor, entity_type="team", entity_id=team.id, action="created",
           changes={"name": team.name})
    return team


def update_team(
    session: Session, *, actor: Person, team_id: int, expected_version: int, data: dict[str, Any]
) -> Team:
    team = get_team(session, team_id)
    check_version(team, expected_version, "team")
    _check_refs(session, data)
    if data.get("name") is not None:
        _ensure_name_free(session, data["name"], team_id=team.id)
    changes = apply_changes(team, data)
    if changes:
        session.flush()
        record(session, actor=actor, entity_type="team", entity_id=team.id, action="updated",
               changes=changes)
    return team
