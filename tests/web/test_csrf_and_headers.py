"""Every state-changing page request needs the CSRF token; every response carries the
security headers."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.factories.programme import build_world
from tests.web.conftest import HTML, Browser, csrf_of
from tracker.actions.models import Phase


def test_a_post_without_the_token_is_refused_and_changes_nothing(browser: Browser, session: Session) -> None:
    world = build_world(session)
    item = world["item"]
    browser.sign_in_as(world["lead"])
    data = {"to": "implementing", "version": str(item.version)}
    for extra in ({}, {"csrf_token": "forged"}):
        r = browser.post(f"/app/action-items/{item.id}/phase", {**data, **extra})
        assert r.status_code == 403, r.text
        assert "security token" in r.text and "<html" in r.text  # an error page in the layout
    session.refresh(item)
    assert item.phase is Phase.planned


def test_the_token_is_accepted_as_a_header_as_htmx_sends_it(browser: Browser, session: Session) -> None:
    world = build_world(session)
    item = world["item"]
    token = browser.sign_in_as(world["lead"])
    r = browser.client.post(f"/app/action-items/{item.id}/phase",
                            data={"to": "implementing", "version": str(item.version)},
                            headers={**HTML, "X-CSRF-Token": token, "HX-Request": "true"})
    assert r.status_code == 200, r.text
    assert r.text.lstrip().startswith('<div id="item"')  # just the block htmx swaps in
    session.refresh(item)
    assert item.phase is Phase.implementing


def test_a_post_from_another_site_is_refused_even_with_the_token(browser: Browser, session: Session) -> None:
    world = build_world(session)
    token = browser.sign_in_as(world["lead"])
    r = browser.client.post(f"/app/action-items/{world['item'].id}/phase",
                            data={"to": "implementing", "version": "1", "csrf_token": token},
                            headers={**HTML, "Origin": "https://evil.example"})
    assert r.status_code == 403


def test_sign_in_needs_the_pre_session_token(browser: Browser, session: Session) -> None:
    r = browser.post("/sign-in", {"email": "a@example.com", "password": "whatever it is"})
    assert r.status_code == 403
    token = csrf_of(browser.get("/sign-in"))
    r = browser.post("/sign-in", {"email": "a@example.com", "password": "whatever it is", "csrf_token": token})
    assert r.status_code == 401


def test_security_headers_on_pages_json_and_docs(browser: Browser) -> None:
    for url in ("/", "/sign-in", "/healthz", "/static/css/app.css"):
        headers = browser.get(url).headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
    assert browser.get("/").headers["cache-control"] == "no-store"
    docs = browser.get("/docs")
    assert docs.status_code == 200 and "/static/vendor/swagger-ui-5.35.0/swagger-ui-bundle.js" in docs.text
    assert "script-src 'self';" in docs.headers["content-security-policy"]  # inline styles only
    redoc = browser.get("/redoc")
    assert redoc.status_code == 200 and "/static/vendor/redoc-2.5.4/redoc.standalone.js" in redoc.text
    assert "fonts.googleapis" not in redoc.text and "cdn.jsdelivr" not in docs.text + redoc.text


def test_unknown_pages_and_api_paths_keep_their_own_error_shapes(browser: Browser) -> None:
    page = browser.get("/app/nothing-here")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    api = browser.client.get("/nothing-here")
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"


def test_a_signed_in_person_sees_the_layout_on_a_404(browser: Browser, session: Session) -> None:
    world = build_world(session)
    browser.sign_in_as(world["lead"])
    page = browser.get("/app/nothing-here")
    assert page.status_code == 404 and "Sign out" in page.text and world["lead"].name in page.text
