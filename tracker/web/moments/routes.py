"""Moments of truth: the ranked list with a "what if" weights preview, one moment's page,
pinning, and the promote flow. Every write goes through the service the API uses
(PUT /priority-weights, PUT /moments/{id}/rank, POST /promote)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from tracker.api.deps import DbSession
from tracker.api.params import IdPath
from tracker.clock import request_today
from tracker.errors import PreconditionFailed, PreconditionRequired, TrackerError
from tracker.moments import priority, service
from tracker.moments import weights as weights_service
from tracker.moments.deps import DefaultWeights
from tracker.people.models import Person, Role
from tracker.promote import service as promote_service
from tracker.promote.schemas import PromoteIn
from tracker.web.forms import GENERAL, FormResult, form_of
from tracker.web.moments import views
from tracker.web.moments.fix_check import fix_check
from tracker.web.moments.forms import (
    MAX_ROWS,
    PinForm,
    SaveWeightsForm,
    UnpinForm,
    WeightsForm,
    field_of_row,
    has_weights,
    promote_body,
    row_count,
)
from tracker.web.routing import page_router
from tracker.web.session import PageLead, PageUser
from tracker.web.templating import is_htmx, partial, render

router = page_router()
LIST = "moments/list.html"
MOMENT = "moments/moment.html"
PROMOTE = "moments/promote.html"
SaveWeightsInput = Annotated[FormResult[SaveWeightsForm], Depends(form_of(SaveWeightsForm))]
PinInput = Annotated[FormResult[PinForm], Depends(form_of(PinForm))]
UnpinInput = Annotated[FormResult[UnpinForm], Depends(form_of(UnpinForm))]


def moment_url(moment_id: int) -> str:
    return f"/app/moments/{moment_id}"


def go_to(request: Request, url: str) -> Response:
    """After a successful write: a 303 for a plain form, HX-Redirect for htmx (whose fetch
    would otherwise follow the redirect and swap a whole page into a fragment)."""
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def _weights_values(w: priority.Weights) -> dict[str, str]:
    return {name: f"{value:g}" for name, value in w.as_dict().items()}


def _what_if(values: dict[str, str]) -> FormResult[WeightsForm]:
    try:
        data = WeightsForm.model_validate(values)
    except ValidationError as exc:
        errors = {str(e["loc"][0]) if e.get("loc") else GENERAL: "Enter a number of 0 or more"
                  for e in exc.errors()}
        return FormResult(None, values, errors)
    problem = priority.check_weights(priority.Weights.of(data))
    if problem:
        return FormResult(None, values, {GENERAL: problem[1]})
    return FormResult(data, values)


def _saved_count(request: Request) -> int | None:
    raw = request.query_params.get("saved", "")
    return int(raw) if raw.isdigit() else None


def can_prioritize(person: Person) -> bool:
    """Leads and admins rank, pin, save weights and promote (the routes check it too)."""
    return person.role in (Role.lead, Role.admin)


def _list(request: Request, db: DbSession, me: Person, defaults: priority.Weights, *, form: FormResult[Any] | None,
          status: int = 200, notice: str | None = None, stale: list[Any] | None = None) -> Response:
    proposed = priority.Weights.of(form.data) if form is not None and form.data is not None else None
    page = views.priorities(db, defaults=defaults, proposed=proposed)
    if form is None:
        form = FormResult(None, _weights_values(page.saved))
    context = {"page": page, "form": form, "saved": _saved_count(request), "notice": notice,
               "can_prioritize": can_prioritize(me),
               "stale": stale or [], "proposed_values": _weights_values(page.weights)}
    return render(request, LIST, context, status=status, block=partial(request, "priorities"))


@router.get("/app/moments")
def moments(request: Request, db: DbSession, me: PageUser, defaults: DefaultWeights) -> Response:
    """The ranked list. With weights in the query it is a what-if preview: the order under
    those weights, computed and shown, never saved (a GET changes nothing)."""
    values = dict(request.query_params)
    if not has_weights(values):
        return _list(request, db, me, defaults, form=None)
    form = _what_if(values)
    return _list(request, db, me, defaults, form=form, status=200 if form.data is not None else 422)


@router.post("/app/moments/weights")
def save_weights(request: Request, db: DbSession, me: PageLead, defaults: DefaultWeights,
                 form: SaveWeightsInput) -> Response:
    """Save the programme's weights (the service behind PUT /priority-weights) and rescore."""
    if form.data is None:
        return _list(request, db, me, defaults, form=_what_if(form.values), status=422)
    data = form.data
    try:
        with db.begin_nested():
            _, rescored = weights_service.set_weights(db, actor=me, data=data.model_dump(),
                                                      expected_version=data.version, defaults=defaults)
    except (PreconditionFailed, PreconditionRequired):
        stale = views.changes_since(db, entity_type="priority_weights", entity_id=None,
                                    after_activity_id=data.seen_activity)
        return _list(request, db, me, defaults, form=_what_if(form.values), status=409, stale=stale,
                     notice="Someone saved the weights while you were looking. Yours were not saved.")
    except TrackerError as exc:
        if exc.status in (401, 403, 404):
            raise
        return _list(request, db, me, defaults, form=_what_if(form.values).fail(exc), status=exc.status)
    return go_to(request, f"/app/moments?saved={rescored}")


def _moment(request: Request, db: DbSession, me: Person, moment_id: int, defaults: priority.Weights, *,
            status: int = 200, notice: str | None = None, stale: list[Any] | None = None,
            pin: FormResult[Any] | None = None) -> Response:
    moment = service.get_moment(db, moment_id)
    today = request_today(request)
    page = views.moment_page(db, moment=moment, defaults=defaults, today=today)
    context = {"page": page, "notice": notice, "stale": stale or [], "can_prioritize": can_prioritize(me),
               "fix_check": fix_check(db, moment_id=moment.id, today=today),
               "promoted": request.query_params.get("promoted"),
               "pin": pin or FormResult(None, {"rank": str(moment.rank_override or page.rank),
                                               "reason": moment.rank_override_reason or ""})}
    return render(request, MOMENT, context, status=status, block=partial(request, "pin"))


@router.get("/app/moments/{moment_id}")
def moment(request: Request, moment_id: IdPath, db: DbSession, me: PageUser, defaults: DefaultWeights) -> Response:
    return _moment(request, db, me, moment_id, defaults)


def _apply_rank(request: Request, db: DbSession, me: Person, moment_id: int, defaults: priority.Weights,
                form: FormResult[Any], rank: int | None, reason: str | None, version: int,
                seen_activity: int) -> Response:
    try:
        with db.begin_nested():
            service.set_rank(db, actor=me, moment_id=moment_id, expected_version=version, rank=rank,
                             reason=reason)
    except PreconditionFailed:
        stale = views.changes_since(db, entity_type="moment", entity_id=moment_id,
                                    after_activity_id=seen_activity)
        return _moment(request, db, me, moment_id, defaults, status=409, stale=stale, pin=form,
                       notice="Someone changed this moment while you were looking. Your change was not applied.")
    except TrackerError as exc:
        if exc.status in (401, 403, 404):
            raise
        return _moment(request, db, me, moment_id, defaults, status=exc.status, pin=form.fail(exc))
    return go_to(request, moment_url(moment_id))


@router.post("/app/moments/{moment_id}/rank")
def pin(request: Request, moment_id: IdPath, db: DbSession, me: PageLead, defaults: DefaultWeights,
        form: PinInput) -> Response:
    """Pin the moment at a rank, with the reason a reader of the list will see."""
    if form.data is None:
        return _moment(request, db, me, moment_id, defaults, status=422, pin=form)
    d = form.data
    return _apply_rank(request, db, me, moment_id, defaults, form, d.rank, d.reason, d.version, d.seen_activity)


@router.post("/app/moments/{moment_id}/unpin")
def unpin(request: Request, moment_id: IdPath, db: DbSession, me: PageLead, defaults: DefaultWeights,
          form: UnpinInput) -> Response:
    if form.data is None:
        return _moment(request, db, me, moment_id, defaults, status=422,
                       notice="; ".join(f"{k}: {v}" for k, v in form.errors.items()))
    d = form.data
    return _apply_rank(request, db, me, moment_id, defaults, form, None, None, d.version, d.seen_activity)


# ---- promote -------------------------------------------------------------------------------

MESSAGES = {"missing": "Needed", "int_parsing": "Choose one", "int_type": "Choose one",
            "date_from_datetime_parsing": "Enter a date (YYYY-MM-DD)", "date_parsing": "Enter a date (YYYY-MM-DD)",
            "date_type": "Enter a date (YYYY-MM-DD)", "string_too_long": "Too long",
            "enum": "Choose one of the options"}


def _validation_errors(exc: ValidationError, rows: list[int]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors():
        name = ".".join(str(p) for p in error.get("loc", ())) or GENERAL
        message = MESSAGES.get(error["type"], str(error.get("msg", "invalid")).removeprefix("Value error, "))
        errors.setdefault(field_of_row(name, rows), message)
    return errors


def _promote_form(request: Request, db: DbSession, moment_id: int, form: FormResult[Any], *,
                  status: int = 200) -> Response:
    moment = service.get_moment(db, moment_id)
    context = {"moment": moment, "form": form, "rows": row_count(form.values), "max_rows": MAX_ROWS,
               "people": views.assignable_people(db), "teams": views.teams(db)}
    return render(request, PROMOTE, context, status=status, block=partial(request, "promote_form"))


@router.get("/app/moments/{moment_id}/promote")
def promote_page(request: Request, moment_id: IdPath, db: DbSession, me: PageLead) -> Response:
    return _promote_form(request, db, moment_id, FormResult(None, {"investigation.owner_id": str(me.id)}))


@router.post("/app/moments/{moment_id}/promote")
async def promote(request: Request, moment_id: IdPath, db: DbSession, me: PageLead,
                  defaults: DefaultWeights) -> Response:
    """Open an investigation with its action items in one go, or show what to fix next to
    the field it concerns (422). "Add another action item" re-draws the form with one more
    row and writes nothing (it works without JavaScript)."""
    raw = await request.form()
    values = {k: v for k, v in raw.items() if isinstance(v, str) and k != "csrf_token"}
    # The form is read on the event loop; the database work runs in a worker thread, where a
    # wait for a lock stalls this request only.
    return await run_in_threadpool(_promote, request, moment_id, db, me, defaults, values)


def _promote(request: Request, moment_id: int, db: Session, me: Person, defaults: Any,
             values: dict[str, str]) -> Response:
    if "add_row" in values:
        values["rows"] = str(min(row_count(values) + 1, MAX_ROWS))
        return _promote_form(request, db, moment_id, FormResult(None, values))
    body, rows = promote_body(values, moment_id=moment_id)
    if not body["action_items"]:
        errors = {"action_items.0.title": "Give at least one action item: title, owner, team and deadline"}
        return _promote_form(request, db, moment_id, FormResult(None, values, errors), status=422)
    try:
        data = PromoteIn.model_validate(body)
    except ValidationError as exc:
        return _promote_form(request, db, moment_id, FormResult(None, values, _validation_errors(exc, rows)),
                             status=422)
    try:
        result = promote_service.promote(db, actor=me, data=data.model_dump(), defaults=defaults)
    except TrackerError as exc:
        if exc.status in (401, 403, 404):
            raise
        field = field_of_row(exc.field, rows) if exc.field else GENERAL
        return _promote_form(request, db, moment_id, FormResult(None, values, {field: exc.message}),
                             status=exc.status)
    return go_to(request, f"{moment_url(result.moment_id)}?promoted={result.investigation_id}")
