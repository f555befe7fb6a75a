"""`/app/training`: employee training for every change that needs it, recorded a session at a
time. Recording goes through tracker.actions.training.record_session (the item's owner, a lead
or an admin, with the record's version), like every other change: logged and synced."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from tracker.actions import training
from tracker.api.deps import DbSession
from tracker.api.params import IdPath
from tracker.clock import Today
from tracker.errors import PreconditionFailed, TrackerError
from tracker.people.models import Person
from tracker.web.forms import FormResult, form_of
from tracker.web.routing import page_router
from tracker.web.session import PageUser, PageWriter
from tracker.web.templating import partial, render
from tracker.web.training import views
from tracker.web.training.forms import SessionForm

router = page_router()
TEMPLATE = "training/training.html"
PAGE = "/app/training"
SessionInput = Annotated[FormResult[SessionForm], Depends(form_of(SessionForm))]
STALE = "Someone recorded training for this item meanwhile; the row now shows their figures. Nothing was added."


def _page(request: Request, db: DbSession, me: Person, today: Today, *, status: int = 200,
          said: dict[int, str] | None = None, refused: dict[int, str] | None = None) -> Response:
    rows, total = views.rows(db, me, today=today)
    programme, teams = views.coverage(db)
    shown = {row.item.id for row in rows}
    # A refusal about an item the list does not show (it needs no training) goes above the list.
    notice = "; ".join(f"Action item {i}: {text}" for i, text in (refused or {}).items() if i not in shown)
    return render(request, TEMPLATE, {"rows": rows, "total": total, "programme": programme, "teams": teams,
                                      "said": said or {}, "refused": refused or {}, "notice": notice},
                  status=status, block=partial(request, "main"))


@router.get(PAGE)
def training_page(request: Request, db: DbSession, me: PageUser, today: Today) -> Response:
    return _page(request, db, me, today)


@router.post(PAGE + "/{item_id}/sessions")
def record_session(request: Request, item_id: IdPath, db: DbSession, me: PageWriter, today: Today,
                   form: SessionInput) -> Response:
    if form.data is None:
        message = "; ".join(f"{k}: {v}" for k, v in form.errors.items())
        return _page(request, db, me, today, status=422, refused={item_id: message})
    try:
        with db.begin_nested():  # a refusal leaves nothing half-done
            training.record_session(db, actor=me, item_id=item_id, people=form.data.people,
                                    expected_version=form.data.version)
    except PreconditionFailed:
        return _page(request, db, me, today, status=409, refused={item_id: STALE})
    except TrackerError as exc:
        if exc.status in (401, 403, 404) and exc.field is None:
            raise
        return _page(request, db, me, today, status=exc.status, refused={item_id: exc.message})
    if partial(request, "main") is None:
        return RedirectResponse(f"{PAGE}#training-{item_id}", status_code=303)
    people = form.data.people
    return _page(request, db, me, today, said={item_id: f"Session recorded: {people} "
                                                         f"{'person' if people == 1 else 'people'} trained."})
