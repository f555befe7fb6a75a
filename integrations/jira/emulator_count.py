"""Jira Cloud's `POST /rest/api/{2,3}/search/approximate-count`: `{"jql"}` -> `{"count"}`.

Bad JQL answers 400 with Jira's `errorMessages` (the parser's own texts), an unbounded query
(no condition at all) 400 as Cloud does; auth, rate limits and injected faults come from the
emulator's request flow like every other route.
"""

from __future__ import annotations

from typing import Any

from integrations.emulation import Request, Response
from integrations.jira.emulator_model import JiraApiError


def install(host: Any) -> None:
    def approximate_count(request: Request) -> Response:
        try:
            body = request.json()
        except ValueError:
            raise JiraApiError(400, ["Unexpected character in request body: not valid JSON"]) from None
        jql = body.get("jql") if isinstance(body, dict) else None
        if not isinstance(jql, str) or not jql.strip():
            raise JiraApiError(400, ["The JQL query is required."])
        account = host.actor()
        if account is None:
            raise JiraApiError(401, ["You are not authenticated. Authentication required to perform this operation."])
        return Response(200, {"count": host.store.count(account, jql)})

    host.add_route("POST", "/search/approximate-count", approximate_count)
