"""`/`: the programme home for a signed-in person, the sign-in page for everyone else."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from tracker.api.deps import DbSession
from tracker.clock import Today
from tracker.web.auth.routes import sign_in_page
from tracker.web.home.views import home_page
from tracker.web.routing import page_router
from tracker.web.session import MaybeSignedIn
from tracker.web.templating import render

router = page_router()


@router.get("/")
def home(request: Request, db: DbSession, signed: MaybeSignedIn, today: Today) -> Response:
    if signed is None:
        return sign_in_page(request)
    return render(request, "home/home.html", {"home": home_page(db, person=signed.person, today=today)})
