"""One error shape for every failure: {"error": {"code", "message", "field"?, "details"?}}."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tracker.errors import TrackerError

log = logging.getLogger(__name__)


def _location(loc: tuple[Any, ...]) -> str:
    # ("body", "deadline") -> "deadline"; ("query", "limit") -> "limit"; nested -> "steps.0.name"
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header"} and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts)


def _error(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse({"error": body}, status_code=status)


error_response = _error  # for middlewares that answer before the app does


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TrackerError)
    async def tracker_error(_: Request, exc: TrackerError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            # An unparsable body has no field: its loc is ("body", <character offset>).
            {"field": "", "message": f"the body is not valid JSON ({e.get('ctx', {}).get('error', 'unreadable')})"}
            if e.get("type") == "json_invalid" else
            {"field": _location(tuple(e.get("loc", ()))), "message": e.get("msg", "invalid")}
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"field": None, "message": "invalid request"}
        message = str(f"{first['field']}: {first['message']}" if first["field"] else first["message"])
        return _error(422, "invalid", message, field=first["field"] or None, details={"errors": errors})

    @app.exception_handler(StaleDataError)
    async def stale(_: Request, exc: StaleDataError) -> JSONResponse:
        return _error(412, "stale_version", "someone else changed this first; reload and retry")

    @app.exception_handler(IntegrityError)
    async def integrity(_: Request, exc: IntegrityError) -> JSONResponse:
        log.info("integrity error turned into 409: %s", exc.orig)
        return _error(409, "conflict", "the change conflicts with existing data")

    # A safety net under the schemas' own limits: values the database cannot store (an integer
    # past 64 bits, a NUL character in text) are the caller's mistake, not a server error.
    @app.exception_handler(DataError)
    async def data_error(_: Request, exc: DataError) -> JSONResponse:
        log.info("database refused a value: %s", exc.orig)
        return _error(422, "invalid", "a value is out of range or not storable (e.g. a NUL character)")

    # SQLite's write lock held past busy_timeout (or a database restart): the request changed
    # nothing, so the caller may safely try again.
    @app.exception_handler(OperationalError)
    async def busy(_: Request, exc: OperationalError) -> JSONResponse:
        log.warning("database unavailable, request refused with 503: %s", exc.orig)
        response = _error(503, "database_busy", "the database is busy; nothing was changed, try again shortly")
        response.headers["Retry-After"] = "1"
        return response

    @app.exception_handler(OverflowError)
    async def overflow(_: Request, exc: OverflowError) -> JSONResponse:
        return _error(422, "invalid", "a number is out of range")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed", 401: "not_authenticated"}
        response = _error(exc.status_code, codes.get(exc.status_code, "error"), str(exc.detail))
        if exc.headers:
            response.headers.update(exc.headers)
        if exc.status_code == 405:
            # The router names only the first route that matched the path; list them all.
            methods = allowed_methods(request.app.routes, request.url.path)
            if methods:
                response.headers["Allow"] = ", ".join(methods)
        return response


def allowed_methods(routes: Sequence[Any], path: str) -> list[str]:
    """Every method some route serves at `path` (included routers are walked into)."""
    methods: set[str] = set()
    for route in routes:
        if hasattr(route, "original_router"):  # FastAPI nests included routers
            methods.update(allowed_methods(route.original_router.routes, path))
        elif isinstance(route, APIRoute | Route) and route.path_regex.fullmatch(path):
            methods.update(route.methods or ())
    return sorted(methods)


class UnexpectedErrors:
    """The last line: any exception that no handler turned into a response becomes our JSON 500.

    Starlette's own fallback answers plain text and re-raises, after which the server drops the
    keep-alive connection. This middleware sits inside it, logs the traceback once and answers
    in the same shape as every other error (when nothing has been sent yet).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:  # noqa: BLE001 - the point of this middleware
            log.exception("unhandled error in %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            response = _error(500, "internal_error", "something went wrong on our side; the error is logged")
            await response(scope, receive, send)
