"""Stateful property-based run: sequences of calls that feed one response into the next request.

Schemathesis infers the links between operations from the OpenAPI document (an item created by
one call is read, changed and deleted by the next), then Hypothesis explores sequences of them.
It runs as a lead, an owner and a viewer: a sequence that fails authorization must still be a
clean 4xx, never a 5xx, and every answer must match the document.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests import factories
from tracker.people.models import Role

SCENARIOS = 8
STEPS = 6


@pytest.mark.parametrize("role", [Role.lead, Role.owner, Role.viewer], ids=lambda r: r.value)
def test_call_sequences_never_fail_server_side(app, session, role: Role) -> None:  # type: ignore[no-untyped-def]
    _, headers = factories.user(session, role)
    factories.world(session)  # existing records for the sequences to find and change
    session.commit()
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    machine = schema.as_state_machine()
    assert machine.bundles, "no links between operations were inferred: the run would be stateless"

    calls: list[str] = []

    class Sequences(machine):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case):  # type: ignore[no-untyped-def]
            calls.append(f"{case.method} {case.path}")
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):  # type: ignore[no-untyped-def]
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

    Sequences.run(settings=settings(max_examples=SCENARIOS, stateful_step_count=STEPS, deadline=None,
                                    database=None, suppress_health_check=list(HealthCheck)))
    # Sequences, not single calls: some steps reached an operation on a resource found before.
    assert len(calls) > SCENARIOS and any("{" in call for call in calls), calls
