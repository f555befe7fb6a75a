"""`/app/my-work`: an owner's items by deadline, what blocks each, and the Slack buttons' actions.

Each action calls the service its Slack button calls (`change_phase`, `add_progress_update`,
`nudges.service.snooze`) or the work-plan form's (`submit_work_plan`), so the activity log, the
ticket sync and the refresh of the item's posted Slack messages follow from the same change
hooks. With htmx the row is swapped in place; without JavaScript a success redirects (303) and a
refusal redraws the page with the reason next to the item.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, TypeVar

from fastapi import Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.actions import service, worklist
from tracker.actions.access import ensure_can_edit
from tracker.actions.models import ActionItem
from tracker.activity.models import ActivityEntry
from tracker.api.deps import DbSession
from tracker.api.params import IdPath
from tracker.clock import Today
from tracker.errors import NotFound, PreconditionFailed, TrackerError
from tracker.nudges import service as nudges
from tracker.people.models import Person
from tracker.web.actions.views import changes_since
from tracker.web.forms import GENERAL, FormResult, form_of
from tracker.web.my_work.forms import NextPhaseForm, SnoozeForm, UpdateForm, WorkPlanForm
from tracker.web.routing import page_router
from tracker.web.session import PageUser, PageWriter
from tracker.web.templating import partial, render

router = page_router()
TEMPLATE = "my_work/my_work.html"
PAGE = "/app/my-work"
F = TypeVar("F", bound=BaseModel)
STALE = "Someone changed this item while you were looking at it. Nothing was applied."

NextPhaseInput = Annotated[FormResult[NextPhaseForm], Depends(form_of(NextPhaseForm))]
UpdateInput = Annotated[FormResult[UpdateForm], Depends(form_of(UpdateForm))]
SnoozeInput = Annotated[FormResult[SnoozeForm], Depends(form_of(SnoozeForm))]
WorkPlanInput = Annotated[FormResult[WorkPlanForm], Depends(form_of(WorkPlanForm))]


@dataclass(frozen=True)
class Outcome:
    """What happened to one row's action, shown in that row."""

    item_id: int
    done: str | None = None
    notice: str | None = None
    stale: list[ActivityEntry] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)  # typed text kept after a refusal


def row_anchor(item_id: int) -> str:
    return f"{PAGE}#work-{item_id}"


@router.get(PAGE)
def my_work(request: Request, db: DbSession, me: PageUser, today: Today) -> Response:
    """The signed-in person's open items, most urgent first."""
    return render(request, TEMPLATE, {"work": worklist.my_work(db, person=me, today=today), "outcome": None})


class RowForm(StrEnum):
    update = "update"
    plan = "plan"


ANCHORS = {RowForm.update: "#updates", RowForm.plan: "#plan"}  # the same forms on the item page


@router.get(PAGE + "/items/{item_id}/forms/{which}")
def row_form(request: Request, item_id: IdPath, which: RowForm, db: DbSession, me: PageUser,
             version: Annotated[int | None, Query(ge=0)] = None,
             seen_activity: Annotated[int | None, Query(ge=0)] = None) -> Response:
    """A row's update or work-plan form, fetched when its section opens. It carries the version
    and activity the row showed, not today's: a change made since is refused as stale and
    named, as it would be had the form been on the page from the start. (Asked without them,
    the form carries the item as it is now.)"""
    item = db.get(ActionItem, item_id)
    if item is None:
        raise NotFound("action item", item_id)
    ensure_can_edit(me, item)
    if version is None:
        version = item.version
    if seen_activity is None:
        seen_activity = db.scalar(select(func.max(ActivityEntry.id))
                                  .where(ActivityEntry.action_item_id == item_id)) or 0
    if partial(request, "form") is None:  # not htmx: the item page has the same form
        return RedirectResponse(f"/app/action-items/{item_id}{ANCHORS[which]}", status_code=303)
    return render(request, "my_work/form.html", {"which": which.value, "item": item, "version": version,
                                                 "seen_activity": seen_activity})


def _answer(request: Request, db: Session, me: Person, today: date, outcome: Outcome, *,
            status: int = 200) -> Response:
    """htmx gets the row; a plain form gets the whole page with the outcome on its row."""
    if partial(request, "row") is not None:
        row = worklist.row_for(db, me, outcome.item_id, today=today)
        return render(request, TEMPLATE, {"row": row, "outcome": outcome}, status=status, block="row")
    return render(request, TEMPLATE, {"work": worklist.my_work(db, person=me, today=today), "outcome": outcome},
                  status=status)


def act(request: Request, db: Session, me: Person, item_id: int, today: date, form: FormResult[F],
        action: Callable[[F], str]) -> Response:
    """Run `action` with the valid form (it returns what to say), or show why not. A stale
    version lists what others changed; a refusal shows the service's message; nothing is
    retried or overwritten on the person's behalf."""
    if form.data is None:
        message = "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in form.errors.items())
        return _answer(request, db, me, today, Outcome(item_id, notice=message, errors=form.errors,
                                                       values=form.values), status=422)
    seen = int(getattr(form.data, "seen_activity", 0))
    try:
        with db.begin_nested():  # a refused change leaves nothing half-done in the request
            said = action(form.data)
    except PreconditionFailed:
        stale = changes_since(db, item_id=item_id, after_activity_id=seen)
        return _answer(request, db, me, today, Outcome(item_id, notice=STALE, stale=stale), status=409)
    except TrackerError as exc:
        if exc.status in (401, 403, 404) and exc.field is None:
            raise  # not the row's business: the error page says it (another owner's item, a viewer)
        outcome = Outcome(item_id, notice=exc.message, errors={exc.field or GENERAL: exc.message},
                          values=form.values)
        return _answer(request, db, me, today, outcome, status=exc.status)
    if partial(request, "row") is None:
        return RedirectResponse(row_anchor(item_id), status_code=303)
    return _answer(request, db, me, today, Outcome(item_id, done=said))


@router.post(PAGE + "/items/{item_id}/next-phase")
def next_phase(request: Request, item_id: IdPath, db: DbSession, me: PageWriter, today: Today,
               form: NextPhaseInput) -> Response:
    """Move the item to the next phase its row (and its Slack message) offers."""
    def run(f: NextPhaseForm) -> str:
        item = service.change_phase(db, actor=me, item_id=item_id, to=f.to, expected_version=f.version)
        if item.phase.value == "done":
            return "Done. It leaves this list; you will find it under Finished recently."
        return f"Marked {worklist.phase_words(item.phase)}."
    return act(request, db, me, item_id, today, form, run)


@router.post(PAGE + "/items/{item_id}/updates")
def post_update(request: Request, item_id: IdPath, db: DbSession, me: PageWriter, today: Today,
                form: UpdateInput) -> Response:
    """Post a progress update, as the Slack message's button does."""
    def run(f: UpdateForm) -> str:
        service.add_progress_update(db, actor=me, item_id=item_id, note=f.note)
        return "Update posted."
    return act(request, db, me, item_id, today, form, run)


@router.post(PAGE + "/items/{item_id}/snooze")
def snooze(request: Request, item_id: IdPath, db: DbSession, me: PageWriter, today: Today,
           form: SnoozeInput) -> Response:
    """Hold the item's reminders for the team's snooze days, up to its limit."""
    def run(_: SnoozeForm) -> str:
        until: datetime = nudges.snooze(db, actor=me, item_id=item_id)
        return f"Reminders snoozed until {until:%a %d %b %H:%M} UTC."
    return act(request, db, me, item_id, today, form, run)


@router.post(PAGE + "/items/{item_id}/work-plan")
def work_plan(request: Request, item_id: IdPath, db: DbSession, me: PageWriter, today: Today,
              form: WorkPlanInput) -> Response:
    """Submit (or replace) the item's work plan."""
    def run(f: WorkPlanForm) -> str:
        service.submit_work_plan(db, actor=me, item_id=item_id, text=f.text, expected_version=f.version)
        return "Work plan submitted."
    return act(request, db, me, item_id, today, form, run)
