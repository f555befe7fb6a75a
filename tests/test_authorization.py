"""Every operation of the API, called by every kind of principal: who is let in, who is refused.

The operations come from the OpenAPI document, not from `app.routes`: this FastAPI version nests
included routers inside `app.routes`, so the OpenAPI paths are the reliable flat route table.
Each operation must have a rule in tests/authz_rules.py; a new route without one fails here.
Forbidden principals are tried before allowed ones so a refused call always meets the seeded
state; the whole test runs in one rolled-back transaction.
Page routes (not in the OpenAPI document) have their own table: tests/test_web_authorization.py.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.authz_rules import ALLOWED, PRINCIPALS, RULES, Rule
from tests.conftest import Database
from tests.factories.authz import CONNECTION, WEBHOOK_SECRET, build_authz_world
from tracker.app import create_app
from tracker.config import ConnectionSettings, Settings
from tracker.moments.models import PriorityWeightSet
from tracker.nudges.models import NudgePolicy

SPEC = create_app(Settings(database_url="sqlite://")).openapi()
OPERATIONS = [(method.upper(), path) for path, ops in SPEC["paths"].items() for method in ops]

# Path parameter name -> the world row (or literal) it is filled from.
PATH_PARAMS: dict[str, Any] = {
    "person_id": lambda w: w["owner"].id,  # the item owner: "self" for the owner principal
    "token_id": lambda w: w["token"].id,  # a spare token of the item owner
    "team_id": lambda w: w["team"].id,
    "map_id": lambda w: w["journey"].id,
    "stage_id": lambda w: w["stage"].id,
    "step_id": lambda w: w["step"].id,
    "friction_id": lambda w: w["friction"].id,
    "friction_point_id": lambda w: w["friction"].id,
    "evidence_id": lambda w: w["evidence"].id,
    "customer_id": lambda w: w["customer"].id,
    "moment_id": lambda w: w["moment"].id,
    "investigation_id": lambda w: w["investigation"].id,
    "item_id": lambda w: w["item"].id,
    "entry_id": lambda w: w["entry"].id,
    "target_id": lambda w: w["target"].id,
    "metric_id": lambda w: w["metric"].id,
    "period": lambda w: w["observation_period"],
    "kind": lambda w: "jira",
    "connection": lambda w: CONNECTION,
    "scope": lambda w: f"team-{w['team'].id}",
}

# Query parameters an operation needs to do real work (it must still be refused without them).
QUERY: dict[tuple[str, str], Any] = {
    ("GET", "/chain"): lambda w: {"friction_point_id": w["friction"].id},
    ("GET", "/activity"): lambda w: {"moment_id": w["moment"].id},
}

# Ids inside the body examples are pointed at rows that exist, so allowed calls get past lookups.
BODY_IDS: dict[str, Any] = {
    "owner_id": lambda w: w["owner"].id, "lead_id": lambda w: w["lead"].id,
    "team_id": lambda w: w["team"].id, "step_id": lambda w: w["step"].id,
    "journey_map_id": lambda w: w["journey"].id, "moment_id": lambda w: w["moment"].id,
    "friction_point_id": lambda w: w["friction"].id,
    "investigation_id": lambda w: w["investigation"].id,
    "ticket_target_id": lambda w: w["target"].id,
}


@pytest.fixture
def settings(database: Database) -> Settings:
    """The suite's settings plus one vendor connection, so webhooks reach the signature check."""
    conn = ConnectionSettings(kind="jira", url="https://acme.atlassian.example", user="bot@acme.example",
                              token="not-used", webhook_secret=WEBHOOK_SECRET)  # type: ignore[arg-type]
    return Settings(database_url=database.url, base_url="http://tracker.test",
                    connections={CONNECTION: conn})


def _example(method: str, path: str) -> tuple[str, Any] | None:
    """(content type, example) of the operation's request body; fails if it has no example."""
    body = SPEC["paths"][path][method.lower()].get("requestBody")
    if body is None:
        return None
    content_type, media = next(iter(body["content"].items()))
    schema = media["schema"]
    if "$ref" in schema:
        schema = SPEC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    examples = media.get("examples") or schema.get("examples")
    if not examples:
        pytest.fail(f"{method} {path}: the request body schema has no `examples`")
    first = examples[0] if isinstance(examples, list) else next(iter(examples.values()))["value"]
    return content_type, copy.deepcopy(first)


def _point_ids(value: Any, world: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        return {k: (BODY_IDS[k](world) if k in BODY_IDS and isinstance(v, int) else
                    [world["friction"].id for _ in v] if k == "friction_point_ids" else
                    _point_ids(v, world)) for k, v in value.items()}
    if isinstance(value, list):
        return [_point_ids(v, world) for v in value]
    return value


def _current_version(session: Session, world: dict[str, Any], key: str) -> int | None:
    session.expire_all()  # the app committed (savepoint releases) through its own session
    if key == "weights":
        row = session.scalars(select(PriorityWeightSet)).first()
        return row.version if row is not None else None
    if key == "nudge_policy":  # a team without a policy row has the defaults, version 0
        policy = session.scalars(select(NudgePolicy).where(NudgePolicy.team_id == world["team"].id)).first()
        return policy.version if policy is not None else 0
    obj = world[key]
    session.refresh(obj)
    return obj.version


def _request(client: TestClient, session: Session, world: dict[str, Any], method: str, path: str,
             rule: Rule, who: str, *, signature: str | None = None) -> Any:
    params = {}
    for name in SPEC["paths"][path][method.lower()].get("parameters", []):
        if name["in"] != "path":
            continue
        if name["name"] not in PATH_PARAMS:
            pytest.fail(f"{method} {path}: no world value for path parameter {name['name']!r}; "
                        "add it to PATH_PARAMS in tests/test_authorization.py")
        params[name["name"]] = PATH_PARAMS[name["name"]](world)
    url = path.format(**params)
    headers = dict(world["headers"][who])
    kwargs: dict[str, Any] = {}
    example = _example(method, path)
    takes_if_match = any(p["in"] == "header" and p["name"].lower() == "if-match"
                         for p in SPEC["paths"][path][method.lower()].get("parameters", []))
    if takes_if_match and rule.version is None:
        pytest.fail(f"{method} {path} takes If-Match: name its versioned row in authz_rules.py")
    version = _current_version(session, world, rule.version) if rule.version else None
    if version is not None:
        headers["If-Match"] = f'"{version}"'
    if example is not None:
        content_type, body = example
        if content_type == "application/json":
            body = _point_ids(body, world)
            if isinstance(body, dict) and "version" in body:
                body["version"] = version
            kwargs["content"] = json.dumps(body).encode()
        else:
            kwargs["content"] = body.encode() if isinstance(body, str) else body
        headers["Content-Type"] = content_type
    if signature is not None:
        headers["X-Hub-Signature"] = signature
    if (method, path) in QUERY:
        kwargs["params"] = QUERY[(method, path)](world)
    return client.request(method, url, headers=headers, **kwargs)


def _check_signed(client: TestClient, session: Session, world: dict[str, Any], method: str,
                  path: str, rule: Rule) -> None:
    # A token is neither needed nor enough: only the signature over the raw body counts.
    for who in ("anonymous", "admin"):
        r = _request(client, session, world, method, path, rule, who, signature="sha256=00")
        assert r.status_code == 401, (who, r.status_code, r.text)
    r = _request(client, session, world, method, path, rule, "anonymous")
    assert r.status_code == 401, r.text
    body = json.dumps({"webhookEvent": "jira:issue_updated", "timestamp": 1}).encode()
    good = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    url = path.format(kind="jira", connection=CONNECTION)
    r = client.post(url, content=body, headers={"X-Hub-Signature": good,
                                                "Content-Type": "application/json"})
    assert r.status_code not in (401, 403) and r.status_code < 500, r.text


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_route_authorization(client: TestClient, session: Session, method: str, path: str) -> None:
    rule = RULES.get((method, path))
    if rule is None:
        pytest.fail(f"{method} {path} has no rule in tests/authz_rules.py: decide who may call it")
    world = build_authz_world(session)
    if rule.policy == "signed":
        _check_signed(client, session, world, method, path, rule)
        return
    allowed = ALLOWED[rule.policy]
    # Refusals first: a refused call must not change anything the allowed ones then meet.
    for who in sorted(PRINCIPALS, key=lambda p: p in allowed):
        r = _request(client, session, world, method, path, rule, who)
        if who in allowed:
            assert r.status_code not in (401, 403), (who, r.status_code, r.text)
            assert r.status_code < 500, (who, r.status_code, r.text)
        elif who == "anonymous":
            assert r.status_code == 401, (who, r.status_code, r.text)
        else:
            assert r.status_code == 403, (who, r.status_code, r.text)


def test_rule_table_has_no_stale_routes() -> None:
    """A rule for an operation that no longer exists is a rule nobody checks."""
    stale = sorted(set(RULES) - set(OPERATIONS))
    assert not stale, f"rules for operations the app does not have: {stale}"
