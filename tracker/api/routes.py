"""Every domain's router, in one place so the route table is easy to audit."""

from __future__ import annotations

from fastapi import FastAPI

from tracker.actions.endpoints import router as actions_router
from tracker.activity.endpoints import router as activity_router
from tracker.closed_loop.endpoints import router as closed_loop_router
from tracker.digests.endpoints import router as digests_router
from tracker.friction.endpoints import router as friction_router
from tracker.health.endpoints import router as health_router
from tracker.investigations.endpoints import router as investigations_router
from tracker.journeys.endpoints import router as journeys_router
from tracker.metrics.endpoints import router as metrics_router
from tracker.moments.endpoints import router as moments_router
from tracker.nudges.endpoints import router as nudges_router
from tracker.overview.endpoints import router as overview_router
from tracker.people.endpoints import router as people_router
from tracker.promote.endpoints import router as promote_router
from tracker.slack.endpoints import router as slack_router
from tracker.sync.endpoints import router as tickets_router
from tracker.sync.webhook_endpoints import router as webhooks_router

ROUTERS = (
    people_router,
    journeys_router,
    friction_router,
    moments_router,
    metrics_router,
    investigations_router,
    promote_router,
    actions_router,
    closed_loop_router,
    activity_router,
    tickets_router,
    webhooks_router,
    slack_router,
    nudges_router,
    digests_router,
    overview_router,
    health_router,
)


def include_routers(app: FastAPI) -> None:
    for router in ROUTERS:
        app.include_router(router)
