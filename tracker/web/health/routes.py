"""`/app/health`: integration health for leads and admins, with retry, resume and recreate.

The figures are `tracker.health.service.summary`, the same as `GET /integration-health`. The
actions call the services the API calls (`retry_message`, `retry_all`, `resume_link`), so they
are logged in the activity log alike. Plain forms and full pages, as a status page should be:
a success redirects (303) to the page with what was done said at the top; a refusal (nothing to
retry, a link that is no longer broken) redraws the page with the reason and its status.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from tracker.api.deps import DbSession
from tracker.api.params import MAX_ID, IdPath, IdQuery
from tracker.errors import TrackerError
from tracker.health import retry, service
from tracker.health.rejections import tally_of
from tracker.health.retry import RETRY_ALL_LIMIT
from tracker.people.models import Person
from tracker.sync.service import resume_link
from tracker.types import utcnow
from tracker.web.forms import FormResult, form_of
from tracker.web.health import views
from tracker.web.health.forms import ResumeForm, RetryForm
from tracker.web.routing import page_router
from tracker.web.session import PageLead
from tracker.web.templating import render

router = page_router()
PAGE = "/app/health"
TEMPLATE = "health/health.html"

RetryInput = Annotated[FormResult[RetryForm], Depends(form_of(RetryForm))]
ResumeInput = Annotated[FormResult[ResumeForm], Depends(form_of(ResumeForm))]
Count = Annotated[int | None, Query(ge=0, le=MAX_ID)]


def _page(request: Request, db: Session, me: Person, *, notice: str | None = None, error: str | None = None,
          status: int = 200) -> Response:
    now = utcnow()
    health = service.summary(db, actor=me, settings=request.app.state.settings, now=now,
                             unwritten_rejections=tally_of(request.app.state).unwritten())
    return render(request, TEMPLATE, {"health": health, "now": now, "notice": notice, "error": error,
                                      "views": views, "retry_all_limit": RETRY_ALL_LIMIT}, status=status)


def _said(retried: int | None, left: int | None, resumed: int | None, recreated: bool) -> str | None:
    """What the last action did, from the redirect's numbers (never from free text in the URL)."""
    if resumed is not None:
        if recreated:
            return f"Action item {resumed} gets a new ticket: the worker creates it shortly."
        return f"The ticket link of action item {resumed} syncs again: the worker sends its fields shortly."
    if retried is None:
        return None
    one = retried == 1
    said = (f"{retried} message{'' if one else 's'} back in the queue: the worker delivers "
            f"{'it' if one else 'them'} shortly.")
    if left:
        said += f" {left} still given up (retry all takes {RETRY_ALL_LIMIT} at a time)."
    return said


@router.get(PAGE)
def health_page(request: Request, db: DbSession, me: PageLead, retried: Count = None, left: Count = None,
                resumed: IdQuery = None, recreated: bool = False) -> Response:
    """Every connection's health, then what needs a person: given-up messages, retries, broken links."""
    return _page(request, db, me, notice=_said(retried, left, resumed, recreated))


def _refused(request: Request, db: Session, me: Person, exc: TrackerError) -> Response:
    return _page(request, db, me, error=exc.message, status=exc.status)


@router.post(PAGE + "/retry")
def retry_one(request: Request, db: DbSession, me: PageLead, form: RetryInput) -> Response:
    """Put one given-up message back in the queue."""
    if form.data is None:
        return _page(request, db, me, error="; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in form.errors.items()),
                     status=422)
    try:
        with db.begin_nested():
            retry.retry_message(db, actor=me, message_id=form.data.message_id, now=utcnow())
    except TrackerError as exc:
        return _refused(request, db, me, exc)
    return RedirectResponse(f"{PAGE}?retried=1#given-up", status_code=303)


@router.post(PAGE + "/retry-all")
def retry_everything(request: Request, db: DbSession, me: PageLead) -> Response:
    """Put every given-up message back in the queue (a batch at a time)."""
    outcome = retry.retry_all(db, actor=me, now=utcnow())
    return RedirectResponse(f"{PAGE}?retried={len(outcome.retried)}&left={outcome.still_dead}#given-up",
                            status_code=303)


@router.post(PAGE + "/links/{item_id}/resume")
def resume(request: Request, item_id: IdPath, db: DbSession, me: PageLead, form: ResumeInput) -> Response:
    """Resume a broken ticket link (or make a new ticket with `recreate`)."""
    if form.data is None:
        return _page(request, db, me, error="; ".join(f"{k}: {v}" for k, v in form.errors.items()), status=422)
    try:
        with db.begin_nested():
            resume_link(db, actor=me, item_id=item_id, recreate=form.data.recreate)
    except TrackerError as exc:
        return _refused(request, db, me, exc)
    flag = "&recreated=true" if form.data.recreate else ""
    return RedirectResponse(f"{PAGE}?resumed={item_id}{flag}#broken-links", status_code=303)
