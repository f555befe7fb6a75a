"""CSRF: a synchronizer token, checked on every state-changing request to a page route.

Signed in, the token lives in the server-side session row (never in a cookie) and forms carry
it as `csrf_token`; htmx sends it as an `X-CSRF-Token` header (set on <body> with
`hx-headers:inherited`, since htmx 4 inherits nothing implicitly). Before signing in there is
no session yet, so the sign-in and set-password forms use a double-submit token: a random
HttpOnly cookie that the form must repeat. A request with an `Origin` from another site is
refused as well, whatever it carries.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import Request, Response

from tracker.errors import Forbidden
from tracker.web.session import MaybeSignedIn, cookie_secure, viewer_of

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
PRE_COOKIE = "tracker_presession"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class CsrfRefused(Forbidden):
    code = "csrf_failed"


def token_for(request: Request) -> str:
    """The token to put in this page's forms."""
    viewer = viewer_of(request)
    if viewer is not None:
        return viewer.csrf_token
    token = request.cookies.get(PRE_COOKIE) or getattr(request.state, "new_pre_token", None)
    if not token:
        token = secrets.token_urlsafe(32)
        request.state.new_pre_token = token
    return token


def set_pre_session_cookie(request: Request, response: Response) -> None:
    token = getattr(request.state, "new_pre_token", None)
    if token:
        response.set_cookie(PRE_COOKIE, token, path="/", httponly=True, samesite="lax",
                            secure=cookie_secure(request))


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None:
        return True  # no Origin (older browsers, same-origin GET-ish navigations): token decides
    here = f"{request.url.scheme}://{request.url.netloc}"
    public = urlsplit(str(request.app.state.settings.base_url))
    return origin in (here, f"{public.scheme}://{public.netloc}")


async def csrf_protect(request: Request, signed: MaybeSignedIn) -> None:
    """Router dependency of every page router: unsafe methods need the right token."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(FORM_TYPES):
        value = (await request.form()).get(FIELD)
        sent = value if isinstance(value, str) else None
    expected = signed.session.csrf_token if signed is not None else request.cookies.get(PRE_COOKIE)
    if not _same_origin(request):
        raise CsrfRefused("this form was sent from another site; open the page here and retry")
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        raise CsrfRefused("the form's security token is missing or out of date: reload the page and retry",
                          field=FIELD)
