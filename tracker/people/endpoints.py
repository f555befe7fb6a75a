from __future__ import annotations

from fastapi import APIRouter, Response, status
from sqlalchemy import select

from tracker.api.deps import AdminOnly, CurrentUser, DbSession, LeadOnly
from tracker.api.pagination import Page, keyset_page
from tracker.api.params import IdPath, Limit
from tracker.api.versioning import IfMatch, expected_version, set_etag
from tracker.auth import service as tokens
from tracker.errors import Forbidden
from tracker.people import service
from tracker.people.models import Person, Role, Team
from tracker.people.schemas import (
    PersonCreate,
    PersonOut,
    PersonUpdate,
    TeamCreate,
    TeamOut,
    TeamUpdate,
    TokenCreate,
    TokenCreated,
    TokenOut,
)

router = APIRouter(tags=["people"])


@router.get("/people", response_model=Page[PersonOut])
def list_people(
    session: DbSession,
    _: CurrentUser,
    role: Role | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
) -> Page[PersonOut]:
    """People: owners, leads, viewers and admins."""
    stmt = select(Person)
    if role is not None:
        stmt = stmt.where(Person.role == role)
    rows, next_cursor = keyset_page(session, stmt, sort_column=Person.id, id_column=Person.id,
                                    descending=False, cursor=cursor, limit=limit)
    return Page(items=[PersonOut.model_validate(p) for p in rows], next_cursor=next_cursor)


@router.post("/people", response_model=PersonOut, status_code=status.HTTP_201_CREATED)
def create_person(body: PersonCreate, session: DbSession, admin: AdminOnly) -> PersonOut:
    """Add a person (admin only)."""
    return PersonOut.model_validate(service.create_person(session, actor=admin, data=body.model_dump()))


@router.get("/people/me", response_model=PersonOut)
def who_am_i(user: CurrentUser, response: Response) -> PersonOut:
    """The person the token belongs to."""
    set_etag(response, user)
    return PersonOut.model_validate(user)


@router.get("/people/{person_id:int}", response_model=PersonOut)
def get_person(person_id: IdPath, session: DbSession, _: CurrentUser, response: Response) -> PersonOut:
    """One person."""
    person = service.get_person(session, person_id)
    set_etag(response, person)
    return PersonOut.model_validate(person)


@router.patch("/people/{person_id:int}", response_model=PersonOut)
def update_person(
    person_id: IdPath, body: PersonUpdate, session: DbSession, user: CurrentUser, response: Response,
    if_match: IfMatch = None,
) -> PersonOut:
    """Edit a person: admins edit anyone; everyone may edit their own name, timezone and identities."""
    data = body.model_dump(exclude_unset=True, exclude={"version"})
    person = service.update_person(session, actor=user, person_id=person_id,
                                   expected_version=expected_version(if_match, body.version), data=data)
    set_etag(response, person)
    return PersonOut.model_validate(person)


def _own_or_admin(user: Person, person_id: int) -> None:
    if user.id != person_id and user.role is not Role.admin:
        raise Forbidden("only an admin may manage another person's tokens")


@router.get("/people/{person_id:int}/tokens", response_model=list[TokenOut])
def list_tokens(person_id: IdPath, session: DbSession, user: CurrentUser) -> list[TokenOut]:
    """A person's API tokens (never their secrets)."""
    _own_or_admin(user, person_id)
    service.get_person(session, person_id)
    return [TokenOut.model_validate(t) for t in tokens.list_tokens(session, person_id=person_id)]


@router.post("/people/{person_id:int}/tokens", response_model=TokenCreated, status_code=201)
def create_token(person_id: IdPath, body: TokenCreate, session: DbSession, user: CurrentUser) -> TokenCreated:
    """Issue a personal API token; the secret is in this response only."""
    _own_or_admin(user, person_id)
    person = service.get_person(session, person_id)
    token, secret = tokens.issue_token(session, person=person, name=body.name)
    return TokenCreated(**TokenOut.model_validate(token).model_dump(), token=secret)


@router.delete("/tokens/{token_id}", response_model=TokenOut)
def revoke_token(token_id: IdPath, session: DbSession, user: CurrentUser) -> TokenOut:
    """Revoke a token (your own, or anyone's as admin)."""
    return TokenOut.model_validate(tokens.revoke_token(session, actor=user, token_id=token_id))


@router.get("/teams", response_model=list[TeamOut])
def list_teams(session: DbSession, _: CurrentUser) -> list[TeamOut]:
    """The owning teams (departments)."""
    return [TeamOut.model_validate(t) for t in session.scalars(select(Team).order_by(Team.name))]


@router.post("/teams", response_model=TeamOut, status_code=201)
def create_team(body: TeamCreate, session: DbSession, lead: LeadOnly) -> TeamOut:
    """Add an owning team (lead or admin)."""
    return TeamOut.model_validate(service.create_team(session, actor=lead, data=body.model_dump()))


@router.get("/teams/{team_id}", response_model=TeamOut)
def get_team(team_id: IdPath, session: DbSession, _: CurrentUser, response: Response) -> TeamOut:
    """One team."""
    team = service.get_team(session, team_id)
    set_etag(response, team)
    return TeamOut.model_validate(team)


@router.patch("/teams/{team_id}", response_model=TeamOut)
def update_team(
    team_id: IdPath, body: TeamUpdate, session: DbSession, lead: LeadOnly, response: Response,
    if_match: IfMatch = None,
) -> TeamOut:
    """Edit a team (lead or admin)."""
    data = body.model_dump(exclude_unset=True, exclude={"version"})
    team = service.update_team(session, actor=lead, team_id=team_id,
                               expected_version=expected_version(if_match, body.version), data=data)
    set_etag(response, team)
    return TeamOut.model_validate(team)
