"""The browser's URL scheme, in one place.

- `/`                      the programme home when signed in, else the sign-in page
- `/sign-in`, `/sign-out`, `/set-password/<secret>`   session pages
- `/app/<API path>`        the page of an API resource: `/app/action-items/7` shows what
                           `GET /action-items/7` returns; forms POST below it
                           (`/app/action-items/7/phase`)
- `/static/...`            our CSS/JS and the vendored libraries
- `/docs`, `/redoc`        the API reference (self-hosted Swagger UI and ReDoc)

A browser opening an API URL (a backlink in a ticket, Slack or a digest) is sent to its page
(see deeplinks.py), so every page mirrors its API path under `/app`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

PAGE_PREFIX = "/app"
SESSION_PAGES = ("/sign-in", "/sign-out", "/set-password/")
HOME = "/"
SIGN_IN = "/sign-in"


def is_page_path(path: str) -> bool:
    """Requests whose errors are answered with an HTML page rather than JSON."""
    return path == HOME or path.startswith(PAGE_PREFIX + "/") or path.startswith(SESSION_PAGES)


def page_for(api_path: str) -> str:
    return PAGE_PREFIX + api_path


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a local path only (no scheme, no host, no `//host`,
    no backslash tricks), else home. Stops the sign-in page being an open redirect."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return HOME
    if any(c in target for c in "\\\r\n\t") or any(ord(c) < 32 for c in target):
        return HOME
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return HOME
    return target
