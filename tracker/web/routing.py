"""How page routers are made, so none can forget the rules every page follows: not in the
OpenAPI schema (they are not API), and CSRF checked on every state-changing method."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from tracker.web.csrf import csrf_protect


def page_router() -> APIRouter:
    return APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
