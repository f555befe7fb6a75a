"""`/app/closed-loop`: the queue of customers still owed news about a shipped fix, its CSV, the
marks made on it, and the message template a lead writes per item.

Marks go through tracker.closed_loop.marks.mark_entries, as POST /closed-loop/marks does (and it
through tracker.actions.checklist.update_entry, as the item page's checklist form does).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.actions.access import get_item
from tracker.actions.models import ChecklistEntry, pending_entry
from tracker.activity.models import ActivityEntry
from tracker.api.deps import DbSession
from tracker.api.params import IdPath
from tracker.clock import Today
from tracker.closed_loop import marks, messages, queue
from tracker.errors import PreconditionFailed, TrackerError
from tracker.people.models import Person
from tracker.web.actions.views import changes_since
from tracker.web.closed_loop import export, views
from tracker.web.closed_loop.forms import MarkForm, QueueQuery, TemplateForm, mark_form
from tracker.web.csv_cells import csv_download
from tracker.web.forms import GENERAL, FormResult, form_of
from tracker.web.routing import page_router
from tracker.web.session import PageLead, PageUser, PageWriter
from tracker.web.templating import is_htmx, render

router = page_router()
TEMPLATE = "closed_loop/queue.html"
MESSAGE_TEMPLATE = "closed_loop/message.html"
MarkInput = Annotated[FormResult[MarkForm], Depends(mark_form())]
TemplateInput = Annotated[FormResult[TemplateForm], Depends(form_of(TemplateForm))]
STALE = "Someone changed this item while you were writing. Your message was not saved."


def _query(request: Request) -> tuple[QueueQuery, str | None]:
    return QueueQuery.parse(request.query_params.multi_items())


def _show(request: Request, db: Session, me: Person, query: QueueQuery, *, status: int = 200,
          notice: str | None = None, lines: list[str] | None = None) -> Response:
    try:
        shown = views.page(db, query)
    except TrackerError as exc:  # a cursor this page never handed out: start again
        query, notice = query.model_copy(update={"cursor": None}), exc.message
        shown = views.page(db, query)
    return render(request, TEMPLATE, {
        "q": query, "page": shown, "totals": shown.totals, "notice": notice, "lines": lines or [],
        "can_mark": views.may_mark(me), "teams": views.team_options(db),
        "phase_options": views.PHASE_OPTIONS, "focus": ""}, status=status)


@router.get("/app/closed-loop")
def closed_loop_queue(request: Request, db: DbSession, me: PageUser) -> Response:
    query, problem = _query(request)
    return _show(request, db, me, query, notice=problem)


@router.get("/app/closed-loop.csv")
def closed_loop_csv(request: Request, db: DbSession, me: PageUser, today: Today) -> Response:
    """The whole queue under the page's filters, one row per person (up to EXPORT_CUSTOMERS)."""
    query, _ = _query(request)
    shown = queue.customer_page(db, query.filters, cursor=None, limit=export.EXPORT_CUSTOMERS)
    return csv_download(export.to_csv(shown.groups), f"closed-loop-queue-{today.isoformat()}.csv")


def _answer(request: Request, db: Session, me: Person, query: QueueQuery, *, status: int, lines: list[str],
            refused: bool, after: views.AfterMark | None = None, focus: str = "") -> Response:
    """htmx gets the touched groups, the count and the status line, each swapped out of band;
    a plain form gets the page again (the status line on top)."""
    if not is_htmx(request):
        return _show(request, db, me, query, status=status, notice=" ".join(lines) if refused else None,
                     lines=[] if refused else lines)
    after = after or views.AfterMark(totals=queue.totals(db, query.filters))
    return render(request, TEMPLATE, {"q": query, "lines": lines, "refused": refused, "after": after,
                                      "can_mark": views.may_mark(me), "focus": focus},
                  status=status, block="marked")


@router.post("/app/closed-loop/marks")
def mark(request: Request, db: DbSession, me: PageWriter, form: MarkInput) -> Response:
    query = QueueQuery.from_back(form.data.back if form.data else form.values.get("back", ""))
    if form.data is None:
        lines = [f"Nothing was marked: {k.replace('_', ' ')}: {v}" if k != GENERAL else v
                 for k, v in form.errors.items()]
        return _answer(request, db, me, query, status=422, lines=lines, refused=True)
    data = form.data
    try:
        with db.begin_nested():  # a refusal leaves nothing half-done
            result = marks.mark_entries(db, actor=me, refs=data.refs(), status=data.status,
                                        message=data.message,
                                        # The bulk bar sends no message: record each entry's draft.
                                        record_drafts="message" not in form.values)
    except TrackerError as exc:
        if exc.status in (401, 403, 404) and exc.field is None:
            raise  # not the form's business: the error page says it
        return _answer(request, db, me, query, status=exc.status, lines=[f"Nothing was marked: {exc.message}"],
                       refused=True)
    status = 409 if result.stale and not result.marked else 200
    if not is_htmx(request) and not result.stale:
        return RedirectResponse(query.url(), status_code=303)
    return _answer(request, db, me, query, status=status, lines=views.summary(result), refused=False,
                   after=views.after_mark(db, query, result), focus=data.focus)


def _template_page(request: Request, db: Session, item_id: int, *, status: int = 200, saved: bool = False,
                   errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
                   notice: str | None = None, stale: list[Any] | None = None) -> Response:
    item = get_item(db, item_id)
    first = db.scalars(select(ChecklistEntry).where(ChecklistEntry.action_item_id == item.id, pending_entry())
                       .order_by(ChecklistEntry.id).limit(1)).first()
    sample = (first.customer_name, first.contact) if first else ("Dana Whitfield", "dana.whitfield@example.org")
    latest = db.scalar(select(func.max(ActivityEntry.id)).where(ActivityEntry.action_item_id == item.id))
    return render(request, MESSAGE_TEMPLATE, {
        "item": item, "text": (values or {}).get("text", item.customer_message_template or messages.DEFAULT_TEMPLATE),
        "is_default": item.customer_message_template is None, "placeholders": messages.PLACEHOLDERS,
        "preview": messages.render(item.customer_message_template, customer_name=sample[0], contact=sample[1],
                                   fix=item.title),
        "sample": sample, "from_queue": first is not None, "saved": saved, "errors": errors or {},
        "notice": notice, "stale": stale or [], "latest_activity_id": latest or 0},
        status=status)


@router.get("/app/action-items/{item_id}/customer-message")
def message_template(request: Request, item_id: IdPath, db: DbSession, _: PageLead) -> Response:
    return _template_page(request, db, item_id, saved=request.query_params.get("saved") == "1")


@router.post("/app/action-items/{item_id}/customer-message")
def save_message_template(request: Request, item_id: IdPath, db: DbSession, me: PageLead,
                          form: TemplateInput) -> Response:
    if form.data is None:
        return _template_page(request, db, item_id, status=422, errors=form.errors, values=form.values)
    data = form.data
    try:
        with db.begin_nested():
            messages.set_template(db, actor=me, item_id=item_id, text=None if data.reset else data.text,
                                  expected_version=data.version)
    except PreconditionFailed:
        stale = changes_since(db, item_id=item_id, after_activity_id=data.seen_activity)
        return _template_page(request, db, item_id, status=409, notice=STALE, stale=stale, values=form.values)
    except TrackerError as exc:
        if exc.status in (401, 403, 404) and exc.field is None:
            raise
        return _template_page(request, db, item_id, status=exc.status, values=form.values,
                              errors={exc.field or GENERAL: exc.message})
    return RedirectResponse(f"/app/action-items/{item_id}/customer-message?saved=1", status_code=303)
