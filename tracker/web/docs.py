"""The API reference pages, served from vendored Swagger UI and ReDoc (no CDN).

Swagger UI starts from a small script file rather than FastAPI's inline one, so the page
keeps `script-src 'self'`.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html
from fastapi.responses import HTMLResponse

from tracker.web.templating import environment, static_url

SWAGGER = "vendor/swagger-ui-5.35.0"
REDOC = "vendor/redoc-2.5.4"

router = APIRouter(include_in_schema=False)


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    html = environment().get_template("docs/swagger.html").render(
        title=f"{request.app.title} API", openapi_url=request.app.openapi_url,
        css=static_url(f"{SWAGGER}/swagger-ui.css"), js=static_url(f"{SWAGGER}/swagger-ui-bundle.js"),
        init=static_url("js/swagger-init.js"))
    return HTMLResponse(html)


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    return get_redoc_html(openapi_url=str(request.app.openapi_url), title=f"{request.app.title} API",
                          redoc_js_url=static_url(f"{REDOC}/redoc.standalone.js"),
                          redoc_favicon_url=static_url("favicon.svg"), with_google_fonts=False)
