"""People and sign-in for admins: invite a person, or make a new set-password link for one.

A link is shown once, in the response to the POST that made it; only its hash is stored.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.api.deps import DbSession
from tracker.api.params import IdPath
from tracker.auth import links
from tracker.auth.models import PasswordCredential, PasswordLink
from tracker.auth.sessions import revoke_sessions
from tracker.errors import PreconditionFailed, TrackerError
from tracker.people import service as people
from tracker.people.models import Person
from tracker.people.slack_lookup import look_up
from tracker.people.zones import zone_names
from tracker.types import utcnow
from tracker.web.forms import FormResult, form_of
from tracker.web.people.forms import InviteForm, PersonEditForm
from tracker.web.routing import page_router
from tracker.web.session import PageAdmin
from tracker.web.templating import render
from tracker.wiring import messenger_factory

router = page_router()
InviteInput = Annotated[FormResult[InviteForm], Depends(form_of(InviteForm))]
EditInput = Annotated[FormResult[PersonEditForm], Depends(form_of(PersonEditForm))]
EDIT_TEMPLATE = "people/person.html"
STALE = "Someone changed this person while you were editing; the form now shows what they saved. Nothing was changed."


def _people_context(db: Session) -> dict[str, object]:
    everyone = list(db.scalars(select(Person).order_by(Person.name)))
    with_password = set(db.scalars(select(PasswordCredential.person_id)))
    pending = set(db.scalars(select(PasswordLink.person_id).where(
        PasswordLink.used_at.is_(None), PasswordLink.expires_at > utcnow())))
    return {"people": everyone, "with_password": with_password, "pending": pending}


def _page(request: Request, db: Session, *, form: FormResult[InviteForm] | None = None,
          issued: tuple[Person, str, str] | None = None, status: int = 200) -> Response:
    link = None
    if issued is not None:
        person, secret, purpose = issued
        base = str(request.app.state.settings.base_url).rstrip("/")
        link = {"person": person, "url": base + links.link_path(secret), "purpose": purpose,
                "hours": int(links.LINK_LIFETIME.total_seconds() // 3600)}
    return render(request, "people/people.html",
                  {**_people_context(db), "form": form or FormResult(None), "link": link}, status=status)


@router.get("/app/people")
def people_page(request: Request, db: DbSession, _: PageAdmin) -> Response:
    return _page(request, db)


@router.post("/app/people")
def invite(request: Request, db: DbSession, admin: PageAdmin, form: InviteInput) -> Response:
    if form.data is None:
        return _page(request, db, form=form, status=422)
    try:
        with db.begin_nested():
            person = people.create_person(db, actor=admin, data=form.data.model_dump())
            link, secret = links.issue_link(db, actor=admin, person=person)
    except TrackerError as exc:
        return _page(request, db, form=form.fail(exc), status=422)
    return _page(request, db, issued=(person, secret, link.purpose), status=201)


@router.post("/app/people/{person_id}/password-link")
def password_link(request: Request, person_id: IdPath, db: DbSession, admin: PageAdmin) -> Response:
    person = people.get_person(db, person_id)
    link, secret = links.issue_link(db, actor=admin, person=person)
    if link.purpose == "reset":
        # A reset says the password is no longer trusted: whoever holds it is signed out now.
        revoke_sessions(db, person_id=person.id)
    return _page(request, db, issued=(person, secret, link.purpose), status=201)


def _person_form(person: Person) -> FormResult[PersonEditForm]:
    values = {"name": person.name, "role": person.role.value, "timezone": person.timezone,
              "active": "true" if person.active else "", "slack_user_id": person.slack_user_id or "",
              "jira_account_id": person.jira_account_id or "", "github_login": person.github_login or "",
              "version": str(person.version)}
    return FormResult(None, values)


def _edit_page(request: Request, db: Session, person: Person, form: FormResult[PersonEditForm], *,
               status: int = 200, notice: str | None = None, done: str | None = None) -> Response:
    return render(request, EDIT_TEMPLATE, {"person": person, "form": form, "notice": notice, "done": done,
                                           "zones": zone_names(),
                                           "slack_configured": request.app.state.settings.slack is not None},
                  status=status)


@router.get("/app/people/{person_id}")
def person_page(request: Request, person_id: IdPath, db: DbSession, _: PageAdmin) -> Response:
    person = people.get_person(db, person_id)
    return _edit_page(request, db, person, _person_form(person))


@router.post("/app/people/{person_id}")
def edit_person(request: Request, person_id: IdPath, db: DbSession, admin: PageAdmin, form: EditInput) -> Response:
    """The same service as PATCH /people/{id}: identities unique (the holder is named), the last
    admin kept, the version checked; a refusal changes nothing and is shown on its field."""
    person = people.get_person(db, person_id)
    if form.data is None:
        return _edit_page(request, db, person, form, status=422)
    try:
        with db.begin_nested():
            people.update_person(db, actor=admin, person_id=person.id, expected_version=form.data.version,
                                 data=form.data.changes())
    except PreconditionFailed:
        db.refresh(person)
        return _edit_page(request, db, person, _person_form(person), status=409, notice=STALE)
    except TrackerError as exc:
        if exc.status in (401, 403, 404) and exc.field is None:
            raise
        return _edit_page(request, db, person, form.fail(exc), status=exc.status)
    return _edit_page(request, db, person, _person_form(person), done=f"{person.name} saved.")


@router.post("/app/people/{person_id}/slack-lookup")
def slack_lookup(request: Request, person_id: IdPath, db: DbSession, _: PageAdmin) -> Response:
    """Ask Slack which user has this person's e-mail; the answer fills the form, unsaved."""
    person = people.get_person(db, person_id)
    found = look_up(messenger_factory(request.app.state.settings), person.email)
    form = _person_form(person)
    if found.slack_user_id is not None:
        form.values["slack_user_id"] = found.slack_user_id
    return _edit_page(request, db, person, form, notice=None if found.slack_user_id else found.message,
                      done=found.message if found.slack_user_id else None)
