"""Puts the browser workspace on the app: pages, static files, docs, error pages, headers.

Called once by tracker.app.create_app. Page routers are listed here, like the API's in
tracker/api/routes.py, so the page route table is easy to audit.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from tracker.web import docs
from tracker.web.access_log import install_redaction
from tracker.web.actions.routes import router as actions_router
from tracker.web.activity.routes import router as activity_router
from tracker.web.auth.routes import router as auth_router
from tracker.web.board.routes import router as board_router
from tracker.web.closed_loop.routes import router as closed_loop_router
from tracker.web.deeplinks import BrowserDeepLinks
from tracker.web.digests.routes import router as digests_router
from tracker.web.doors import ActivitySourceMiddleware
from tracker.web.errors import install_error_pages
from tracker.web.headers import SecurityHeaders
from tracker.web.health.routes import router as health_router
from tracker.web.home.routes import router as home_router
from tracker.web.investigations.routes import router as investigations_router
from tracker.web.journeys.routes import router as journeys_router
from tracker.web.metrics.routes import router as metrics_router
from tracker.web.moments.routes import router as moments_router
from tracker.web.my_work.routes import router as my_work_router
from tracker.web.people.routes import router as people_router
from tracker.web.teams.routes import router as teams_router
from tracker.web.templating import STATIC
from tracker.web.training.routes import router as training_router

PAGE_ROUTERS = (home_router, auth_router, actions_router, people_router, board_router, moments_router,
                investigations_router, journeys_router, my_work_router, closed_loop_router,
                health_router, activity_router, training_router, digests_router,
                teams_router, metrics_router)


def install_web(app: FastAPI) -> None:
    for router in PAGE_ROUTERS:
        app.include_router(router)
    app.include_router(docs.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    install_error_pages(app)
    install_redaction()  # shared-digest and set-password secrets stay out of the access log
    page_gets = [route.path_regex for router in PAGE_ROUTERS for route in router.routes
                 if isinstance(route, APIRoute) and "GET" in (route.methods or ())]
    app.add_middleware(BrowserDeepLinks, page_patterns=page_gets)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(ActivitySourceMiddleware)
