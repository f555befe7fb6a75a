"""An action item's page and everything done on it: phase moves, work plan, progress, training,
the closed-loop checklist, waivers, the ticket and nudges. Each form calls the same service as
its API route, carrying the version the page showed (see `apply_form`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from tracker.actions import checklist, service
from tracker.api.deps import DbSession
from tracker.api.params import IdPath
from tracker.clock import Today
from tracker.errors import PreconditionFailed, TrackerError
from tracker.nudges import service as nudges
from tracker.people.models import Person
from tracker.sync import service as sync
from tracker.web.actions.forms import (
    ChecklistForm,
    PhaseMoveForm,
    PlainForm,
    ProgressForm,
    ResumeForm,
    TrainingForm,
    WaiverForm,
    WorkPlanForm,
)
from tracker.web.actions.views import changes_since, item_page
from tracker.web.forms import GENERAL, FormResult, form_of
from tracker.web.routing import page_router
from tracker.web.session import PageLead, PageUser, PageWriter
from tracker.web.templating import partial, render

router = page_router()
TEMPLATE = "actions/item.html"
F = TypeVar("F", bound=BaseModel)
STALE = "Someone changed this item while you were looking at it. Your change was not applied."


def item_url(item_id: int) -> str:
    return f"/app/action-items/{item_id}"


def show_item(request: Request, db: Session, me: Person, item_id: int, today: Any, *, status: int = 200,
              notice: str | None = None, stale: list[Any] | None = None,
              errors: dict[str, str] | None = None, done: str | None = None) -> Response:
    page = item_page(db, person=me, item_id=item_id, today=today)
    return render(request, TEMPLATE, {"page": page, "notice": notice, "stale": stale or [],
                                      "errors": errors or {}, "done": done},
                  status=status, block=partial(request, "item"))


def apply_form(request: Request, db: Session, me: Person, item_id: int, today: Any, form: FormResult[F],
               action: Callable[[F], object], done: str) -> Response:
    """Run `action` with the valid form, or show why not. A stale version lists what others
    changed since the page was drawn; a refusal shows the service's message; nothing is
    retried or overwritten on the user's behalf. Success redirects (303) or, for htmx, swaps
    the item in place with `done` said in a status line."""
    if form.data is None:
        message = "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in form.errors.items())
        return show_item(request, db, me, item_id, today, status=422, notice=message, errors=form.errors)
    seen = int(getattr(form.data, "seen_activity", 0))
    try:
        with db.begin_nested():  # a refused change leaves nothing half-done in the request
            action(form.data)
    except PreconditionFailed:
        stale = changes_since(db, item_id=item_id, after_activity_id=seen)
        return show_item(request, db, me, item_id, today, status=409, notice=STALE, stale=stale)
    except TrackerError as exc:
        if exc.status in (401, 403, 404) and exc.field is None:
            raise  # not the form's business: the error page says it
        return show_item(request, db, me, item_id, today, status=exc.status, notice=exc.message,
                         errors={exc.field or GENERAL: exc.message})
    if partial(request, "item") is None:
        return RedirectResponse(item_url(item_id), status_code=303)
    return show_item(request, db, me, item_id, today, done=done)


PhaseMoveInput = Annotated[FormResult[PhaseMoveForm], Depends(form_of(PhaseMoveForm))]
WorkPlanInput = Annotated[FormResult[WorkPlanForm], Depends(form_of(WorkPlanForm))]
ProgressInput = Annotated[FormResult[ProgressForm], Depends(form_of(ProgressForm))]
TrainingInput = Annotated[FormResult[TrainingForm], Depends(form_of(TrainingForm))]
ChecklistInput = Annotated[FormResult[ChecklistForm], Depends(form_of(ChecklistForm))]
WaiverInput = Annotated[FormResult[WaiverForm], Depends(form_of(WaiverForm))]
ResumeInput = Annotated[FormResult[ResumeForm], Depends(form_of(ResumeForm))]
PlainInput = Annotated[FormResult[PlainForm], Depends(form_of(PlainForm))]


@router.get("/app/action-items/{item_id}")
def action_item(request: Request, item_id: IdPath, db: DbSession, me: PageUser, today: Today) -> Response:
    return show_item(request, db, me, item_id, today)


@router.post("/app/action-items/{item_id}/phase")
def move_phase(request: Request, item_id: IdPath, db: DbSession, me: PageWriter, today: Today,
               form: PhaseMoveInput) -> Response:
    def act(f: PhaseMoveForm) -> object:
        return service.change_phase(db, actor=me, item_id=item_id, to=f.to, reason=f.reason,
                                    expected_version=f.version)
    return apply_form(request, db, me, item_id, today, form, act, "Phase changed.")


@router.post("/app/action-items/{item_id}/work-plan")
def work_plan(request: Request, item_id: IdPath, db: DbSession, me: PageWriter, today: Today,
              form: WorkPlanInput) -> Response:
    def act(f: WorkPlanForm) -> object:
        return service.submit_work_plan(db, actor=me, item_id=item_id, text=f.text, expected_version=f.version)
    return apply_form(request, db, me, item_id, today, form, act, "Work plan saved.")


@router.post("/app/action-items/{item_id}/updates")
def post_update(request: Request, item_id: IdPath, db: DbSession, me: PageWriter, today: Today,
                form: ProgressInput) -> Response:
    def act(f: ProgressForm) -> object:
        return service.add_progress_update(db, actor=me, item_id=item_id, note=f.note)
    return apply_form(request, db, me, item_id, today, form, act, "Update posted.")


@router.post("/app/action-items/{item_id}/training")
def record_training(request: Request, item_id: IdPath, db: DbSession, me: PageWriter, today: Today,
                    form: TrainingInput) -> Response:
    def act(f: TrainingForm) -> object:
        data = f.model_dump(include={"sessions_held", "people_trained", "target_count"})
        return service.update_training(db, actor=me, item_id=item_id, expected_version=f.version, data=data)
    return apply_form(request, db, me, item_id, today, form, act, "Training recorded.")


@router.post("/app/action-items/{item_id}/checklist")
def mark_checklist(request: Request, item_id: IdPath, db: DbSession, me: PageWriter, today: Today,
                   form: ChecklistInput) -> Response:
    def act(f: ChecklistForm) -> object:
        return checklist.update_entry(db, actor=me, item_id=item_id, entry_id=f.entry_id,
                                      expected_version=f.version, data={"status": f.status})
    return apply_form(request, db, me, item_id, today, form, act, "Checklist entry updated.")


@router.post("/app/action-items/{item_id}/waivers")
def waive(request: Request, item_id: IdPath, db: DbSession, me: PageLead, today: Today,
          form: WaiverInput) -> Response:
    def act(f: WaiverForm) -> object:
        return service.waive(db, actor=me, item_id=item_id, what=f.what, reason=f.reason, expected_version=f.version)
    return apply_form(request, db, me, item_id, today, form, act, "Waiver recorded.")


@router.post("/app/action-items/{item_id}/ticket")
def push_ticket(request: Request, item_id: IdPath, db: DbSession, me: PageLead, today: Today,
                form: PlainInput) -> Response:
    def act(_: PlainForm) -> object:
        return sync.promote_item(db, actor=me, item_id=item_id)
    return apply_form(request, db, me, item_id, today, form, act, "Ticket queued: it is created in the background.")


@router.post("/app/action-items/{item_id}/ticket/resume")
def resume_ticket(request: Request, item_id: IdPath, db: DbSession, me: PageLead, today: Today,
                  form: ResumeInput) -> Response:
    def act(f: ResumeForm) -> object:
        return sync.resume_link(db, actor=me, item_id=item_id, recreate=f.recreate)
    return apply_form(request, db, me, item_id, today, form, act, "Syncing again.")


@router.post("/app/action-items/{item_id}/nudges")
def nudge_now(request: Request, item_id: IdPath, db: DbSession, me: PageLead, today: Today,
              form: PlainInput) -> Response:
    def act(_: PlainForm) -> object:
        return nudges.nudge_now(db, actor=me, item_id=item_id, today=today)
    return apply_form(request, db, me, item_id, today, form, act, "Nudge queued for the owner.")
