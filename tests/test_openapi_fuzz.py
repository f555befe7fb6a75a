"""Property-based run over the whole OpenAPI document: no 5xx, no response that breaks the schema.

Every operation gets a bounded number of generated requests, sent as an admin (so requests reach
the handlers rather than stopping at authorization) against a database with a small programme.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests import factories
from tracker.app import create_app
from tracker.config import Settings
from tracker.people.models import Role

MAX_EXAMPLES = 12


def _operation_ids() -> list[tuple[str, str]]:
    spec = create_app(Settings(database_url="sqlite://")).openapi()
    return [
        (path, method.upper())
        for path, methods in sorted(spec["paths"].items())
        for method in sorted(methods)
    ]


@pytest.mark.parametrize(("path", "method"), _operation_ids(), ids=lambda v: str(v))
def test_operation_never_fails_server_side(app, session, path: str, method: str) -> None:
    _, headers = factories.user(session, Role.admin)
    factories.world(session)  # something for generated ids to hit
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operation = schema[path][method]

    @given(case=operation.as_strategy())
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case) -> None:  # type: ignore[no-untyped-def]
        response = case.call(headers=headers)
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

    check()
