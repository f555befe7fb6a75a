"""Investigations: the programme's root causes as a Pareto chart with the list, and one
investigation's page where its owner or a lead records hypotheses, findings and the root
cause (the service behind PATCH /investigations/{id}, carrying the version the page showed)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from tracker.api.deps import DbSession
from tracker.api.params import IdPath
from tracker.errors import PreconditionFailed, TrackerError
from tracker.investigations import service
from tracker.investigations.models import Investigation, InvestigationStatus, RootCauseCategory
from tracker.people.models import Person
from tracker.web.forms import FormResult, form_of
from tracker.web.investigations import views
from tracker.web.investigations.forms import InvestigationForm
from tracker.web.routing import page_router
from tracker.web.session import PageUser, PageWriter
from tracker.web.templating import render

router = page_router()
PAGE = "investigations/investigation.html"
InvestigationInput = Annotated[FormResult[InvestigationForm], Depends(form_of(InvestigationForm))]
STATUSES = [(s.value, s.value.replace("_", " ").capitalize()) for s in InvestigationStatus]
CATEGORIES = [(c.value, views.CATEGORY_LABELS[c.value]) for c in RootCauseCategory]


def investigation_url(investigation_id: int) -> str:
    return f"/app/investigations/{investigation_id}"


@router.get("/app/investigations")
def investigations(request: Request, db: DbSession, _: PageUser) -> Response:
    return render(request, "investigations/list.html", {"page": views.list_page(db)})


def _values(inv: Investigation) -> dict[str, str]:
    return {"hypotheses": "\n".join(inv.hypotheses or []), "findings": inv.findings or "",
            "root_cause": inv.root_cause or "",
            "root_cause_category": inv.root_cause_category.value if inv.root_cause_category else "",
            "root_cause_area": inv.root_cause_area or "", "status": inv.status.value}


def _page(request: Request, db: DbSession, me: Person, investigation_id: int, *,
          form: FormResult[Any] | None = None, status: int = 200, notice: str | None = None,
          stale: list[Any] | None = None) -> Response:
    page = views.investigation_page(db, person=me, investigation_id=investigation_id)
    context = {"page": page, "form": form or FormResult(None, _values(page.investigation)),
               "notice": notice, "stale": stale or [], "statuses": STATUSES, "categories": CATEGORIES,
               "saved": "saved" in request.query_params}
    return render(request, PAGE, context, status=status)


@router.get("/app/investigations/{investigation_id}")
def investigation(request: Request, investigation_id: IdPath, db: DbSession, me: PageUser) -> Response:
    return _page(request, db, me, investigation_id)


@router.post("/app/investigations/{investigation_id}")
def edit_investigation(request: Request, investigation_id: IdPath, db: DbSession, me: PageWriter,
                       form: InvestigationInput) -> Response:
    """Save, or say why not next to the field; a stale version shows who changed what and
    keeps what was typed, so nothing is lost and nothing is overwritten."""
    if form.data is None:
        return _page(request, db, me, investigation_id, form=form, status=422)
    data = form.data
    try:
        with db.begin_nested():
            service.update_investigation(db, actor=me, investigation_id=investigation_id,
                                         expected_version=data.version, data=data.changes())
    except PreconditionFailed:
        stale = views.changes_since(db, investigation_id=investigation_id, after_activity_id=data.seen_activity)
        return _page(request, db, me, investigation_id, form=FormResult(None, form.values), status=409,
                     stale=stale, notice="Someone changed this investigation while you were editing. "
                                         "Your text is kept below; nothing was saved.")
    except TrackerError as exc:
        if exc.status in (401, 403, 404):
            raise
        return _page(request, db, me, investigation_id, form=form.fail(exc), status=exc.status)
    return RedirectResponse(f"{investigation_url(investigation_id)}?saved", status_code=303)
