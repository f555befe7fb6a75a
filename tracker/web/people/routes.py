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
from tracker.errors import TrackerError
from tracker.people import service as people
from tracker.people.models import Person
from tracker.types import utcnow
from tracker.web.forms import FormResult, form_of
from tracker.web.people.forms import InviteForm
from tracker.web.routing import page_router
from tracker.web.session import PageAdmin
from tracker.web.templating import render

router = page_router()
InviteInput = Annotated[FormResult[InviteForm], Depends(form_of(InviteForm))]


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
