"""An action item's page, and its phase moves (the same service call as
POST /action-items/{id}/phase, carrying the version the page showed)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from tracker.actions import service
from tracker.api.deps import DbSession
from tracker.api.params import IdPath
from tracker.clock import Today
from tracker.errors import PreconditionFailed, TrackerError
from tracker.web.actions.forms import PhaseMoveForm
from tracker.web.actions.views import changes_since, item_page
from tracker.web.forms import GENERAL, FormResult, form_of
from tracker.web.routing import page_router
from tracker.web.session import PageUser, PageWriter
from tracker.web.templating import partial, render

router = page_router()
TEMPLATE = "actions/item.html"
PhaseMoveInput = Annotated[FormResult[PhaseMoveForm], Depends(form_of(PhaseMoveForm))]


def item_url(item_id: int) -> str:
    return f"/app/action-items/{item_id}"


@router.get("/app/action-items/{item_id}")
def action_item(request: Request, item_id: IdPath, db: DbSession, me: PageUser, today: Today) -> Response:
    page = item_page(db, person=me, item_id=item_id, today=today)
    return render(request, TEMPLATE, {"page": page, "notice": None, "stale": []},
                  block=partial(request, "item"))


@router.post("/app/action-items/{item_id}/phase")
def move_phase(request: Request, item_id: IdPath, db: DbSession, me: PageWriter, today: Today,
               form: PhaseMoveInput) -> Response:
    """Apply the move, or show why not: a stale version shows what changed meanwhile, a refused
    move says which moves are allowed. Nothing is retried or overwritten on the user's behalf."""
    status, notice, stale = 200, None, []
    if form.data is None:
        status, notice = 422, "; ".join(f"{k}: {v}" for k, v in form.errors.items())
    else:
        try:
            with db.begin_nested():  # a refused move leaves nothing half-done in the request
                service.change_phase(db, actor=me, item_id=item_id, to=form.data.to, reason=form.data.reason,
                                     expected_version=form.data.version)
        except PreconditionFailed:
            status = 409
            stale = changes_since(db, item_id=item_id, after_activity_id=form.data.seen_activity)
            notice = "Someone changed this item while you were looking at it. Your move was not applied."
        except TrackerError as exc:
            if exc.status in (401, 403, 404):
                raise  # not the form's business: the error page says it
            status, notice = exc.status, exc.message
        else:
            if partial(request, "item") is None:
                return RedirectResponse(item_url(item_id), status_code=303)
    page = item_page(db, person=me, item_id=item_id, today=today)
    errors = {GENERAL: notice} if notice else {}
    return render(request, TEMPLATE, {"page": page, "notice": errors.get(GENERAL), "stale": stale},
                  status=status, block=partial(request, "item"))
