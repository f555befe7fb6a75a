"""Every page route, called by every kind of principal: who is let in, who is refused.

The second half of the route-table authorization test (tests/test_authorization.py covers the
API from the OpenAPI document). Page routes are not in that document, so the table is read
from the app's routes; each must have a rule in tests/web_authz_rules.py. Anonymous callers
are sent to sign in, signed-in callers without the right role get 403, and every
state-changing route also refuses an allowed caller who leaves out the CSRF token.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from starlette.routing import BaseRoute, Mount, Route

from tests.authz_rules import PRINCIPALS
from tests.factories.authz import build_authz_world
from tests.test_authorization import OPERATIONS
from tests.web_authz_rules import ALLOWED, RULES, WEB_PASSWORD, WebRule
from tracker.app import create_app
from tracker.auth.links import issue_link
from tracker.auth.passwords import set_password
from tracker.auth.sessions import start_session
from tracker.config import Settings
from tracker.web.session import COOKIE

SAFE = {"GET", "HEAD"}


def _flatten(routes: list[BaseRoute]) -> list[BaseRoute]:
    # Included routers are nested in this FastAPI version; their routes carry full paths.
    flat: list[BaseRoute] = []
    for route in routes:
        original = getattr(route, "original_router", None)
        flat.extend(_flatten(original.routes) if original is not None else [route])
    return flat


_CONVERTOR = re.compile(r"\{(\w+):\w+\}")


def web_routes(app: FastAPI) -> list[tuple[str, str]]:
    api = set(OPERATIONS)
    found = set()
    for route in _flatten(list(app.routes)):
        if isinstance(route, Mount):
            found.add(("GET", route.path))
        elif isinstance(route, APIRoute | Route):
            for method in route.methods or ():
                # The OpenAPI document writes `{person_id}` for a route declared `{person_id:int}`.
                documented = _CONVERTOR.sub(r"{\1}", route.path)
                if method != "HEAD" and (method, documented) not in api:
                    found.add((method, route.path))
    return sorted(found)


ROUTES = web_routes(create_app(Settings(database_url="sqlite://")))
PATH_PARAMS = {"item_id": lambda w: w["item"].id, "person_id": lambda w: w["owner"].id,
               "secret": lambda w: w["link_secret"], "map_id": lambda w: w["journey"].id,
               "moment_id": lambda w: w["moment"].id, "investigation_id": lambda w: w["investigation"].id,
               "team_id": lambda w: w["team"].id, "metric_id": lambda w: w["metric"].id,
               "which": lambda w: "update"}


def test_every_page_route_has_a_rule() -> None:
    missing = [r for r in ROUTES if r not in RULES]
    assert not missing, f"page routes without a rule in tests/web_authz_rules.py: {missing}"
    stale = sorted(set(RULES) - set(ROUTES))
    assert not stale, f"rules for page routes the app does not have: {stale}"


def _world(session: Session) -> dict[str, Any]:
    w = build_authz_world(session)
    set_password(session, person=w["owner"], password=WEB_PASSWORD)
    _, w["link_secret"] = issue_link(session, actor=None, person=w["other_owner"])
    session.commit()
    return w


def _url(path: str, world: dict[str, Any]) -> str:
    if path == "/static":
        return "/static/css/app.css"
    return re.sub(r"\{(\w+)\}", lambda m: str(PATH_PARAMS[m.group(1)](world)), path)


def _client(app: FastAPI, session: Session, world: dict[str, Any], who: str) -> tuple[TestClient, str]:
    """A browser for `who`, and the CSRF token its forms would carry."""
    client = TestClient(app, raise_server_exceptions=False)
    if who == "anonymous":
        page = client.get("/sign-in")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        return client, token
    web, secret = start_session(session, person=world[who])
    session.commit()
    client.cookies.set(COOKIE, secret)
    return client, web.csrf_token


def _call(app: FastAPI, session: Session, world: dict[str, Any], method: str, path: str, rule: WebRule,
          who: str, *, with_token: bool = True) -> Any:
    client, token = _client(app, session, world, who)
    session.expire_all()
    for row in world.values():  # the form reads current versions
        if hasattr(row, "version") and hasattr(row, "_sa_instance_state"):
            session.refresh(row)
    headers = {"Accept": "text/html"}
    if method in SAFE:
        return client.get(_url(path, world), headers=headers, follow_redirects=False)
    data = rule.form(world, who)
    if with_token:
        data["csrf_token"] = token
    return client.request(method, _url(path, world), data=data, headers=headers, follow_redirects=False)


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_page_route_authorization(app: FastAPI, session: Session, method: str, path: str) -> None:
    rule = RULES.get((method, path))
    if rule is None:
        pytest.fail(f"{method} {path} has no rule in tests/web_authz_rules.py: decide who may open it")
    world = _world(session)
    allowed = ALLOWED[rule.policy]
    if rule.policy == "slack_signed":
        for who in PRINCIPALS:
            r = _call(app, session, world, method, path, rule, who)
            assert r.status_code in (401, 404), (who, r.status_code, r.text[:300])
        return
    if method not in SAFE:
        who = sorted(allowed)[0]
        r = _call(app, session, world, method, path, rule, who, with_token=False)
        assert r.status_code == 403 and "security token" in r.text, (who, "no CSRF token", r.status_code)
    for who in sorted(PRINCIPALS, key=lambda p: p in allowed):
        r = _call(app, session, world, method, path, rule, who)
        to_sign_in = r.status_code == 303 and r.headers["location"].startswith("/sign-in")
        if who in allowed:
            assert r.status_code not in (401, 403) and r.status_code < 500, (who, r.status_code, r.text[:400])
            assert not to_sign_in or path in ("/sign-out",), (who, "sent to sign in")
        elif who == "anonymous":
            assert to_sign_in, (who, r.status_code, r.text[:300])
        else:
            assert r.status_code == 403, (who, r.status_code, r.text[:300])
