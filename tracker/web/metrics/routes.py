"""Success metric pages: a journey map's metrics (with the form to add one) and one metric's page
(edit, CSV upload of values, the moments it judges, how its counting stands, and the retry of a
given-up count).

Every change calls the service the API calls: create_metric / update_metric with the same query
check (so a malformed JQL or search is refused on the `query` field with the vendor's message),
queue_if_counted, import_observations_csv (all rows or none), link_metric / unlink_metric, and
retry_count (the health page's retry). Everyone may read, as the API lets every role read
metrics; the forms are for leads and admins, and the routes refuse anyone else.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from tracker.actions.access import is_lead
from tracker.api.deps import DbSession
from tracker.api.params import IdPath
from tracker.clock import Today
from tracker.errors import PreconditionFailed, PreconditionRequired, TrackerError
from tracker.friction.csv_rows import ImportFailed
from tracker.metrics import csv_import, observations, service
from tracker.metrics.count_status import retry_count
from tracker.metrics.counting import queue_if_counted
from tracker.metrics.counting_check import QueryCheck
from tracker.metrics.models import Observation, ObservationSource
from tracker.metrics.periods import label, out_of_range, parse_period
from tracker.people.models import Person
from tracker.types import utcnow
from tracker.web.forms import FormResult, form_of
from tracker.web.metrics import views
from tracker.web.metrics.forms import LinkForm, MetricEditForm, MetricForm, UploadedCsv, ValueForm, uploaded_csv
from tracker.web.routing import page_router
from tracker.web.session import PageLead, PageUser
from tracker.web.templating import render

router = page_router()
LIST = "metrics/list.html"
PAGE = "metrics/metric.html"
MetricInput = Annotated[FormResult[MetricForm], Depends(form_of(MetricForm))]
MetricEditInput = Annotated[FormResult[MetricEditForm], Depends(form_of(MetricEditForm))]
ValueInput = Annotated[FormResult[ValueForm], Depends(form_of(ValueForm))]
PERIOD_NAME = re.compile(r"\d{4}-(W\d{2}|\d{2})")  # what `label` writes: only that goes back into the notice
LinkInput = Annotated[FormResult[LinkForm], Depends(form_of(LinkForm))]
Upload = Annotated[UploadedCsv, Depends(uploaded_csv)]
STALE = "Someone changed this metric while you were editing. What you typed is kept below; nothing was saved."
NEW_METRIC = {"direction": "lower_is_better", "period": "weekly", "source_kind": "manual"}


def metrics_url(map_id: int) -> str:
    return f"/app/journey-maps/{map_id}/metrics"


def metric_url(metric_id: int) -> str:
    return f"/app/metrics/{metric_id}"


def _refused(exc: TrackerError) -> bool:
    """Who may not, or what does not exist at all: the error page, not a form message."""
    return exc.status in (401, 403, 404) and exc.field is None


def _choices(request: Request, values: dict[str, str]) -> dict[str, Any]:
    return {"sources": views.source_choices(values.get("source_kind")),
            "directions": views.DIRECTION_CHOICES, "periods": views.PERIOD_CHOICES,
            "connections": views.connection_choices(request.app.state.settings, values.get("connection"))}


# --- a map's metrics ---------------------------------------------------------------------------

def _list(request: Request, db: Session, me: Person, map_id: int, today: date, *,
          form: FormResult[Any] | None = None, status: int = 200) -> Response:
    form = form or FormResult(None, dict(NEW_METRIC))
    page = views.map_metrics_page(db, map_id=map_id, today=today, now=utcnow())
    context = {"page": page, "can_edit": is_lead(me), "form": form, **_choices(request, form.values)}
    return render(request, LIST, context, status=status)


@router.get("/app/journey-maps/{map_id}/metrics")
def map_metrics(request: Request, map_id: IdPath, db: DbSession, me: PageUser, today: Today) -> Response:
    """A map's metrics: latest value, verdicts, and how the counting of each stands."""
    return _list(request, db, me, map_id, today)


@router.post("/app/journey-maps/{map_id}/metrics")
def create_metric(request: Request, map_id: IdPath, db: DbSession, me: PageLead, today: Today,
                  form: MetricInput, checker: QueryCheck) -> Response:
    """Add a metric (create_metric, its query checked with the vendor), or say why not next to
    the field; a counted metric's backfill is queued with it."""
    if form.data is None:
        return _list(request, db, me, map_id, today, form=form, status=422)
    try:
        with db.begin_nested():
            metric = service.create_metric(db, actor=me, journey_map_id=map_id, data=form.data.data(),
                                           checker=checker)
            queue_if_counted(db, metric)
    except TrackerError as exc:
        if _refused(exc):
            raise
        return _list(request, db, me, map_id, today, form=form.fail(exc), status=exc.status)
    counted = "&counted" if metric.source_kind in service.COUNTED else ""
    return RedirectResponse(f"{metric_url(metric.id)}?created{counted}", status_code=303)


# --- one metric --------------------------------------------------------------------------------

def _notice(request: Request) -> str | None:
    """What the last action did, from the redirect's flags and numbers (never free text)."""
    q = request.query_params
    if "created" in q:
        return "Metric added." + (" The worker counts its past periods shortly." if "counted" in q else "")
    if "saved" in q:
        return "Saved."
    if q.get("imported", "").isdigit():
        n = int(q["imported"])
        return f"Imported {n} value{'s' if n != 1 else ''} from the CSV."
    if "linked" in q:
        return "The moment now names this metric."
    if "unlinked" in q:
        return "The moment no longer names this metric; the metric and its values stay."
    if PERIOD_NAME.fullmatch(q.get("recorded", "")):
        return f"Value for {q['recorded']} saved."
    if "retried" in q:
        return "The count is back in the queue: the worker tries again shortly."
    return None


def _show(request: Request, db: Session, me: Person, metric_id: int, *, edit: FormResult[Any] | None = None,
          link: FormResult[Any] | None = None, value: FormResult[Any] | None = None,
          replacing: Observation | None = None, stale: bool = False, upload_error: str | None = None,
          problems: list[dict[str, Any]] | None = None, error: str | None = None, notice: str | None = None,
          status: int = 200) -> Response:
    page = views.metric_page(db, metric_id=metric_id, now=utcnow())
    edit = edit or FormResult(None, views.metric_values(page.metric))
    context = {"page": page, "can_edit": is_lead(me), "edit": edit, "link": link or FormResult(None, {}),
               "value": value or FormResult(None, {}), "replacing": replacing, "stale": stale,
               "replacing_period": label(page.metric.period, replacing.period_start) if replacing else None,
               "upload_error": upload_error, "problems": problems or [], "error": error,
               "notice": notice if notice is not None else _notice(request), **_choices(request, edit.values)}
    return render(request, PAGE, context, status=status)


@router.get("/app/metrics/{metric_id}")
def metric(request: Request, metric_id: IdPath, db: DbSession, me: PageUser) -> Response:
    """One metric: its definition, values, moments and counting status; the forms for leads."""
    return _show(request, db, me, metric_id)


@router.post("/app/metrics/{metric_id}")
def edit_metric(request: Request, metric_id: IdPath, db: DbSession, me: PageLead, form: MetricEditInput,
                checker: QueryCheck) -> Response:
    """Save the metric through update_metric with the version shown; a new query is checked
    with the vendor and counted again from the start."""
    if form.data is None:
        return _show(request, db, me, metric_id, edit=form, status=422)
    data = form.data
    try:
        with db.begin_nested():
            metric = service.update_metric(db, actor=me, metric_id=metric_id, expected_version=data.version,
                                           data=data.data(), checker=checker)
            queue_if_counted(db, metric)
    except PreconditionFailed:
        db.expire_all()
        return _show(request, db, me, metric_id, edit=FormResult(None, form.values), error=STALE, status=409)
    except TrackerError as exc:
        if _refused(exc):
            raise
        db.expire_all()
        return _show(request, db, me, metric_id, edit=form.fail(exc), status=exc.status)
    return RedirectResponse(f"{metric_url(metric_id)}?saved", status_code=303)


@router.post("/app/metrics/{metric_id}/observations")
def record_value(request: Request, metric_id: IdPath, db: DbSession, me: PageLead, today: Today,
                 form: ValueInput) -> Response:
    """Enter or correct one period's value through record_observation, with the API's rule: a
    period that has a value is replaced only with the version the lead saw. So the first save
    over an existing value shows it and asks to save again (carrying its version); a value
    changed meanwhile is shown as it now is, and nothing is overwritten unseen."""
    metric = service.get_metric(db, metric_id)
    if form.data is None:
        return _show(request, db, me, metric_id, value=form, status=422)
    data = form.data
    try:
        start = parse_period(metric.period, data.period)
    except ValueError as exc:
        return _show(request, db, me, metric_id, value=FormResult(None, form.values, {"period": str(exc)}),
                     status=422)
    if (why := out_of_range(metric.period, start, today=today)) is not None:
        return _show(request, db, me, metric_id, value=FormResult(None, form.values, {"period": why}), status=422)
    try:
        with db.begin_nested():
            recorded = observations.record_observation(
                db, metric_id, start, data.value, ObservationSource.web, recorded_by_id=me.id,
                expected_version=data.version, require_version=True)
    except (PreconditionRequired, PreconditionFailed) as exc:
        db.expire_all()
        existing = observations.observation_for(db, metric_id, start)
        if existing is None:  # removed meanwhile: a new value needs no version
            return _show(request, db, me, metric_id, value=FormResult(None, {**form.values, "version": ""}),
                         error="That period's value was removed meanwhile; save again to record yours.",
                         status=409)
        shown = {**form.values, "version": str(existing.version)}
        # 409 as the other pages answer a conflict with what the person saw (not the API's 412/428).
        return _show(request, db, me, metric_id, value=FormResult(None, shown), replacing=existing,
                     stale=isinstance(exc, PreconditionFailed), status=409)
    said = label(metric.period, recorded.observation.period_start)
    return RedirectResponse(f"{metric_url(metric_id)}?recorded={said}#values", status_code=303)


@router.post("/app/metrics/{metric_id}/observations/import")
def import_values(request: Request, metric_id: IdPath, db: DbSession, me: PageLead, upload: Upload) -> Response:
    """Upload values as CSV (period,value): all rows or none; every bad line is listed."""
    service.get_metric(db, metric_id)
    if upload.text is None:
        return _show(request, db, me, metric_id, upload_error=upload.error, status=422)
    try:
        with db.begin_nested():  # a refused file leaves nothing behind in this request
            report = csv_import.import_observations_csv(db, actor=me, metric_id=metric_id, text=upload.text,
                                                        dry_run=False)
    except ImportFailed as exc:
        db.expire_all()
        problems = list(exc.details.get("errors", []))
        said = f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {upload.filename}: nothing was imported."
        return _show(request, db, me, metric_id, upload_error=said, problems=problems, status=422)
    return RedirectResponse(f"{metric_url(metric_id)}?imported={report.rows}#values", status_code=303)


@router.post("/app/metrics/{metric_id}/moments")
def link_moment(request: Request, metric_id: IdPath, db: DbSession, me: PageLead, form: LinkInput) -> Response:
    """Name this metric on one of the map's moments of truth (link_metric)."""
    if form.data is None:
        return _show(request, db, me, metric_id, link=form, status=422)
    try:
        with db.begin_nested():
            service.link_metric(db, actor=me, moment_id=form.data.moment_id, metric_id=metric_id)
    except TrackerError as exc:
        if _refused(exc):
            raise
        db.expire_all()
        # The form has one field: whatever the service refused is said next to it.
        return _show(request, db, me, metric_id, link=FormResult(None, form.values, {"moment_id": exc.message}),
                     status=exc.status)
    return RedirectResponse(f"{metric_url(metric_id)}?linked#moments", status_code=303)


@router.post("/app/metrics/{metric_id}/moments/{moment_id}/unlink")
def unlink_moment(request: Request, metric_id: IdPath, moment_id: IdPath, db: DbSession, me: PageLead) -> Response:
    """Stop judging the moment by this metric (unlink_metric); the metric and its values stay."""
    service.get_metric(db, metric_id)
    try:
        with db.begin_nested():
            service.unlink_metric(db, actor=me, moment_id=moment_id, metric_id=metric_id)
    except TrackerError as exc:
        if exc.status in (401, 403):
            raise
        db.expire_all()
        return _show(request, db, me, metric_id, error=exc.message, status=exc.status)
    return RedirectResponse(f"{metric_url(metric_id)}?unlinked#moments", status_code=303)


@router.post("/app/metrics/{metric_id}/count/retry")
def retry(request: Request, metric_id: IdPath, db: DbSession, me: PageLead) -> Response:
    """Put a given-up count back in the queue (the health page's retry, logged alike)."""
    try:
        with db.begin_nested():
            retry_count(db, actor=me, metric_id=metric_id, now=utcnow())
    except TrackerError as exc:
        if _refused(exc):
            raise
        db.expire_all()
        return _show(request, db, me, metric_id, error=exc.message, status=exc.status)
    return RedirectResponse(f"{metric_url(metric_id)}?retried#counting", status_code=303)

