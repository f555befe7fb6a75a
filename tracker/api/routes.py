"""Every domain's router, in one place so the route table is easy to audit."""

from __future__ import annotations

from fastapi import FastAPI

from tracker.activity.endpoints import router as activity_router
from tracker.people.endpoints import router as people_router


def include_routers(app: FastAPI) -> None:
    for router in (people_router, activity_router):
        app.include_router(router)
