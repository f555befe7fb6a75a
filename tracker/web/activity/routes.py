"""`/app/activity`: the programme's activity log, filterable by person, item, moment and source
(API, web, Slack, Jira, GitHub, the tracker itself), a hundred entries a page, and its CSV."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from tracker.api.deps import DbSession
from tracker.clock import Today
from tracker.web.activity import views
from tracker.web.activity.forms import ActivityQuery
from tracker.web.csv_cells import csv_download, to_csv
from tracker.web.routing import page_router
from tracker.web.session import PageUser
from tracker.web.templating import environment, render

router = page_router()


@router.get("/app/activity")
def activity(request: Request, db: DbSession, me: PageUser) -> Response:
    query, problem = ActivityQuery.parse(dict(request.query_params))
    rows, older = views.entries(db, query, reader=me.role)
    return render(request, "activity/list.html", {"q": query, "rows": rows, "older": older,
                                                  "options": views.options(db), "notice": problem})


@router.get("/app/activity.csv")
def activity_csv(request: Request, db: DbSession, me: PageUser, today: Today) -> Response:
    """The filtered log, newest first, up to EXPORT_ROWS entries."""
    query, _problem = ActivityQuery.parse(dict(request.query_params))
    rows, _older = views.entries(db, query, reader=me.role, limit=views.EXPORT_ROWS)
    text = to_csv(views.CSV_HEADER, views.csv_rows(rows, environment().filters["change_text"]))
    return csv_download(text, f"activity-{today.isoformat()}.csv")
