"""Errors on page routes are answered with a page in the layout (or, for htmx, a fragment
worth swapping: htmx 4 swaps 4xx/5xx bodies). API routes keep the JSON error shape: each
handler here hands anything that is not a page request to the API's own handler."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from tracker.db import transaction
from tracker.errors import TrackerError
from tracker.web.paths import SIGN_IN, is_page_path
from tracker.web.session import COOKIE, SignInRequired, signed_in, viewer_of
from tracker.web.templating import is_htmx, render

Handler = Callable[[Request, Any], Awaitable[Response]]

TITLES = {400: "Bad request", 401: "Please sign in", 403: "Not allowed", 404: "Not found",
          405: "Not allowed here", 409: "Conflict", 412: "Changed meanwhile", 422: "Check the input",
          428: "Version needed"}


def _know_the_viewer(request: Request) -> None:
    """A 404 for an unknown page runs no dependency: look the session up here, so the error
    page still shows the signed-in layout (menu, name, sign-out)."""
    if viewer_of(request) is not None or not request.cookies.get(COOKIE):
        return
    state = request.app.state
    reading = request.method in ("GET", "HEAD")  # as in signed_in: a write touches in-session
    factory = (getattr(state, "read_session_factory", None) if reading else None) or state.session_factory
    try:
        with transaction(factory) as db:
            signed_in(request, db)
    except SQLAlchemyError:
        pass  # the error page matters more than its menu


def error_page(request: Request, status: int, message: str) -> Response:
    _know_the_viewer(request)
    context = {"status": status, "title": TITLES.get(status, "Something went wrong"), "message": message}
    block = "error" if is_htmx(request) else None
    return render(request, "errors/error.html", context, status=status, block=block)


def sign_in_redirect(request: Request, next_path: str) -> Response:
    target = f"{SIGN_IN}?next={quote(next_path, safe='/')}"
    if is_htmx(request):  # a fragment request cannot show a whole page: let htmx navigate
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _message(exc: Exception) -> tuple[int, str]:
    if isinstance(exc, TrackerError):
        return exc.status, exc.message
    if isinstance(exc, StarletteHTTPException):
        return exc.status_code, "There is no page here." if exc.status_code == 404 else str(exc.detail)
    if isinstance(exc, RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ())[1:])
        return 422, f"{where}: {first.get('msg', 'invalid')}" if where else "The request was not valid."
    if isinstance(exc, StaleDataError):
        return 412, "Someone else changed this first. Reload the page and apply your change again."
    return 500, "Something went wrong."


def install_error_pages(app: FastAPI) -> None:
    """Wrap the API's handlers: page requests get pages, everything else is unchanged."""

    def wrap(kind: type[Exception]) -> None:
        api_handler: Handler | None = app.exception_handlers.get(kind)  # type: ignore[assignment]

        async def handle(request: Request, exc: Exception) -> Response:
            if not is_page_path(request.url.path) and api_handler is not None:
                return await api_handler(request, exc)
            status, message = _message(exc)
            return error_page(request, status, message)

        app.add_exception_handler(kind, handle)

    for kind in (TrackerError, RequestValidationError, StarletteHTTPException, StaleDataError):
        wrap(kind)

    async def sign_in_needed(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInRequired)
        return sign_in_redirect(request, exc.next_path)

    app.add_exception_handler(SignInRequired, sign_in_needed)
