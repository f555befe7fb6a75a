"""Journey map pages: the list, a map (alone or lined up with a map of the other kind), and the
workshop-board CSV import (upload, preview, confirm) with its template."""

from __future__ import annotations

import csv
import io
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from tracker.api.deps import DbSession
from tracker.api.params import MAX_ID, IdPath
from tracker.clock import Today
from tracker.friction.csv_import import ImportFailed, import_friction_csv
from tracker.friction.csv_rows import COLUMNS
from tracker.journeys.service import get_map, ordered_steps
from tracker.people.models import Role
from tracker.web.forms import FormResult, form_of
from tracker.web.journeys.forms import ConfirmImportForm, UploadedCsv, uploaded_csv
from tracker.web.journeys.imports import preview
from tracker.web.journeys.metrics import map_metrics
from tracker.web.journeys.views import COLUMNS as LAYOUT
from tracker.web.journeys.views import lineup_page, list_maps, map_page
from tracker.web.routing import page_router
from tracker.web.session import PageLead, PageUser
from tracker.web.templating import render

router = page_router()
ConfirmInput = Annotated[FormResult[ConfirmImportForm], Depends(form_of(ConfirmImportForm))]
Upload = Annotated[UploadedCsv, Depends(uploaded_csv)]
LEADS = (Role.lead, Role.admin)


def map_url(map_id: int) -> str:
    return f"/app/journey-maps/{map_id}"


@router.get("/app/journey-maps")
def journey_maps(request: Request, db: DbSession, me: PageUser) -> Response:
    return render(request, "journeys/list.html", {"maps": list_maps(db)})


@router.get("/app/journey-maps/{map_id}")
def journey_map(
    request: Request, map_id: IdPath, db: DbSession, me: PageUser, today: Today,
    with_: Annotated[int | None, Query(alias="with", ge=1, le=MAX_ID)] = None,
    imported: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
    fixes: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    """The map; with `?with=<id of a map of the other kind>` both maps lined up stage by stage.

    A pin lists its most urgent fixes and links to `?fixes=<its friction point id>`: the same map
    with that pin listing every fix."""
    context = {"can_import": me.role in LEADS, "imported": imported, "layout": LAYOUT}
    if with_ is not None:
        page = lineup_page(db, map_id=map_id, with_id=with_, today=today)
        return render(request, "journeys/lineup.html", {**context, "page": page})
    shown = map_page(db, map_id=map_id, today=today, in_full=fixes)
    return render(request, "journeys/map.html", {**context, "page": shown,
                                                 "metrics": map_metrics(db, map_id=map_id, today=today)})


@router.get("/app/journey-maps/{map_id}/import")
def import_page(request: Request, map_id: IdPath, db: DbSession, me: PageLead) -> Response:
    return render(request, "journeys/import.html", {"map": get_map(db, map_id), "preview": None, "error": None})


@router.post("/app/journey-maps/{map_id}/import/preview")
def import_preview(request: Request, map_id: IdPath, db: DbSession, me: PageLead, upload: Upload) -> Response:
    """Check the uploaded file (a dry run: nothing is written) and show every row with its
    problems; a clean file gets the confirm button."""
    jmap = get_map(db, map_id)
    if upload.text is None:
        return render(request, "journeys/import.html", {"map": jmap, "preview": None, "error": upload.error},
                      status=422)
    checked = preview(db, actor=me, journey_map_id=map_id, text=upload.text, filename=upload.filename)
    return render(request, "journeys/import.html", {"map": jmap, "preview": checked, "error": None},
                  status=200 if checked.ok else 422)


@router.post("/app/journey-maps/{map_id}/import")
def import_confirm(request: Request, map_id: IdPath, db: DbSession, me: PageLead,
                   form: ConfirmInput) -> Response:
    """Import what the preview showed, all rows or none. The map may have changed since the
    preview: the import checks everything again and shows the problems instead of half-importing."""
    jmap = get_map(db, map_id)
    if form.data is None:
        message = "; ".join(form.errors.values())
        return render(request, "journeys/import.html", {"map": jmap, "preview": None, "error": message},
                      status=422)
    try:
        with db.begin_nested():  # a refused file leaves nothing behind in this request
            report = import_friction_csv(db, actor=me, text=form.data.csv, journey_map_id=map_id)
    except ImportFailed:
        checked = preview(db, actor=me, journey_map_id=map_id, text=form.data.csv, filename="")
        return render(request, "journeys/import.html", {"map": jmap, "preview": checked, "error": None},
                      status=422)
    changed = report.friction_points_created + report.friction_points_updated
    return RedirectResponse(f"{map_url(map_id)}?imported={changed}", status_code=303)


@router.get("/app/journey-maps/{map_id}/import/template.csv")
def import_template(map_id: IdPath, db: DbSession, me: PageLead) -> Response:
    """The columns, with one example row per step of this map: stage and step already spelled
    as the import will match them, the rest to fill in (rows left without a title are refused,
    so delete the ones you do not use)."""
    jmap = get_map(db, map_id, structure=True)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for stage, step in ordered_steps(jmap):
        writer.writerow([stage.name, step.name] + [""] * (len(COLUMNS) - 2))
    filename = f"journey-map-{map_id}-friction.csv"
    # A byte-order mark: Excel then opens the UTF-8 file with its accents intact.
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
