"""The weekly digest as a page, and read-only links to it for people without an account.

- `/app/digests?scope=team-3&week=2026-W47`: any signed-in person reads a scope's digest (the
  report `GET /digests/team-3?week=2026-W47` returns), its charts, and what went to Slack.
- `/app/digests/links`: leads make, list and revoke shared links (tracker.digests.share).
  A new link's secret is shown once, in the answer to the POST that made it.
- `/shared/digests/<secret>`: the digest, signed out. Nothing on it leads anywhere else, it
  carries no controls, asks search engines to stay away, and sends no Referer (the secret is
  in the URL). An unknown link answers 404, an expired or revoked one 410.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from tracker.api.deps import DbSession
from tracker.api.params import IdQuery
from tracker.clock import Today
from tracker.digests import share
from tracker.digests.builder import Scope
from tracker.digests.endpoints import scope_key
from tracker.digests.models import DigestShareLink
from tracker.digests.weeks import parse_week, week_of
from tracker.errors import TrackerError
from tracker.people.models import Person, Role
from tracker.web.digests import views
from tracker.web.digests.forms import RevokeForm, ShareForm
from tracker.web.forms import FormResult, form_of
from tracker.web.routing import page_router
from tracker.web.session import PageLead, PageUser
from tracker.web.templating import environment, render

router = page_router()
PAGE = views.PAGE
LINKS = PAGE + "/links"
ShareInput = Annotated[FormResult[ShareForm], Depends(form_of(ShareForm))]
RevokeInput = Annotated[FormResult[RevokeForm], Depends(form_of(RevokeForm))]
# The shared page is for someone outside: not indexed, and the secret never leaves in a Referer.
SHARED_HEADERS = {"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex, nofollow"}


def may_share(person: Person) -> bool:
    """Whether the page offers the share form (the route and the service check again)."""
    return person.role in (Role.lead, Role.admin)


@router.get(PAGE)
def digest_page(request: Request, db: DbSession, me: PageUser, today: Today,
                scope: Annotated[str, Query(max_length=40)] = "programme",
                week: Annotated[str | None, Query(max_length=10)] = None) -> Response:
    resolved, the_week = views.resolve(db, scope=scope, week=week or None, today=today)
    page = views.digest_page(db, scope=resolved, week=the_week, today=today)
    return render(request, "digests/digest.html", {
        "page": page, "may_share": may_share(me), "days": views.day_choices(share.LIFETIMES),
        "form": FormResult(None)})


def _links_page(request: Request, db: Session, today: Today, *, form: FormResult[ShareForm] | None = None,
                issued: tuple[DigestShareLink, str] | None = None, notice: str = "", notice_kind: str = "error",
                status: int = 200) -> Response:
    shown = None
    if issued is not None:
        link, secret = issued
        base = str(request.app.state.settings.base_url).rstrip("/")
        shown = {"url": base + share.share_path(secret), "link": link, "week_text": views.week_text(link.week),
                 "scope_title": Scope(db, link.scope).title}
    current = week_of(today)
    weeks = [(share.CURRENT, views.week_text(None)), *views.week_choices(current, current)]
    return render(request, "digests/links.html", {
        "rows": views.link_rows(db), "issued": shown, "notice": notice, "notice_kind": notice_kind,
        "form": form or FormResult(None), "scopes": views.scope_choices(db), "weeks": weeks,
        "days": views.day_choices(share.LIFETIMES)}, status=status)


@router.get(LINKS)
def links_page(request: Request, db: DbSession, _: PageLead, today: Today, revoked: IdQuery = None) -> Response:
    notice = ""
    if revoked is not None and db.get(DigestShareLink, revoked) is not None:
        notice = f"Link {revoked} is revoked: it no longer opens the digest."
    return _links_page(request, db, today, notice=notice, notice_kind="success")


@router.post(LINKS)
def create_link(request: Request, db: DbSession, lead: PageLead, today: Today, form: ShareInput) -> Response:
    if form.data is None:
        return _links_page(request, db, today, form=form, status=422)
    d = form.data
    try:
        key = scope_key(d.scope)
        with db.begin_nested():
            issued = share.create_link(db, actor=lead, scope=key, week=d.week, days=d.days, note=d.note)
    except TrackerError as exc:
        if exc.status in (401, 403):
            raise
        return _links_page(request, db, today, form=form.fail(exc), status=exc.status)
    return _links_page(request, db, today, issued=issued, status=201)


@router.post(LINKS + "/revoke")
def revoke_link(request: Request, db: DbSession, lead: PageLead, today: Today, form: RevokeInput) -> Response:
    if form.data is None:
        return _links_page(request, db, today, notice="; ".join(f"{k}: {v}" for k, v in form.errors.items()),
                           status=422)
    try:
        with db.begin_nested():
            link = share.revoke_link(db, actor=lead, link_id=form.data.link_id)
    except TrackerError as exc:
        if exc.status != 409:
            raise  # 404 and 403: the error page says it
        return _links_page(request, db, today, notice=exc.message, status=409)
    return RedirectResponse(f"{LINKS}?revoked={link.id}#links", status_code=303)


def _shared(template: str, context: dict[str, object], status: int) -> HTMLResponse:
    # Rendered without the layout's context: no menu, no session, no CSRF token, whoever opens it.
    html = environment().get_template(template).render(context)
    return HTMLResponse(html, status_code=status, headers=SHARED_HEADERS)


@router.get("/shared/digests/{secret}")
def shared_digest(db: DbSession, today: Today, secret: str) -> Response:
    opened = share.open_link(db, secret)
    if opened is None:
        return _shared("digests/shared_gone.html", {"state": "unknown"}, 404)
    if opened.state != "active":
        return _shared("digests/shared_gone.html", {"state": opened.state, "link": opened.link}, 410)
    link = opened.link
    scope = Scope(db, link.scope)
    week = parse_week(opened.week(today))
    digest = views.digest_view(db, scope=scope, week=week, today=today)
    return _shared("digests/shared.html", {"digest": digest, "link": link}, 200)
