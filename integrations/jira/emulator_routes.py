"""HTTP handlers of the Jira emulator: decode a request, call the store, shape Jira's reply.

Paths are registered as templates ("/issue/{key}") under both `/rest/api/2` and
`/rest/api/latest` (the jira client's `assign_issue` uses "latest"); the template is also the
name the per-route call counters use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from integrations.emulation import Request, Response
from integrations.jira import emulator_changes as changes
from integrations.jira.emulator_fields import FIELD_NAMES
from integrations.jira.emulator_model import PRIORITIES, RESOLUTIONS, JiraApiError, format_jira_time
from integrations.jira.emulator_render import field_catalog
from integrations.jira.emulator_store import JiraStore

SEARCH_GONE = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
)
SERVER_VERSION = [1001, 0, 0]


class Host(Protocol):
    """What the handlers need from the emulator."""

    store: JiraStore

    @property
    def url(self) -> str: ...
    def actor(self) -> str | None: ...
    def add_route(self, method: str, template: str, handler: Callable[[Request], Response]) -> None: ...


def install(host: Host) -> None:
    store = host.store
    route = host.add_route

    def actor() -> str:
        account = host.actor()
        if account is None:  # anonymous access only reaches serverInfo
            raise JiraApiError(
                401, ["You are not authenticated. Authentication required to perform this operation."]
            )
        return account

    def issue_of(request: Request) -> Any:
        return store.get_issue(request.params["key"], actor())

    # -- site --------------------------------------------------------------------------------------
    def server_info(request: Request) -> Response:
        return Response(200, {
            "baseUrl": host.url, "displayUrl": host.url, "version": ".".join(map(str, SERVER_VERSION)),
            "versionNumbers": SERVER_VERSION, "deploymentType": "Cloud", "buildNumber": 100275,
            "buildDate": "2026-11-01T00:00:00.000+0000", "serverTime": format_jira_time(store.now()),
            "scmInfo": "emulator", "serverTitle": "Jira (emulator)", "defaultLocale": {"locale": "en_US"},
            "serverTimeZone": "Etc/UTC",
        })  # fmt: skip

    route("GET", "/serverInfo", server_info)
    route("GET", "/myself", lambda r: Response(200, store.render.user(actor())))
    route("GET", "/field", lambda r: Response(200, field_catalog(store.custom_fields)))
    route(
        "GET", "/priority", lambda r: Response(200, [store.render.named("priority", p) for p in PRIORITIES])
    )
    route(
        "GET",
        "/resolution",
        lambda r: Response(200, [store.render.named("resolution", x) for x in RESOLUTIONS]),
    )
    route("GET", "/status", lambda r: Response(200, [store.render.status(s) for s in store.all_statuses()]))

    def projects(request: Request) -> Response:
        me = actor()
        visible = [p for p in store.projects.values() if store.can_browse(p, me)]
        return Response(200, [store.render.project(p, full=True) for p in visible])

    def project(request: Request) -> Response:
        key = request.params["key"]
        found = store.project_ref(key, actor())
        if found is None:
            raise JiraApiError(404, [f"No project could be found with key '{key}'."])
        return Response(200, store.render.project(found, full=True))

    route("GET", "/project", projects)
    route("GET", "/project/{key}", project)

    # -- users -------------------------------------------------------------------------------------
    def user_search(request: Request) -> Response:
        actor()
        if account_id := request.arg("accountId"):
            found = [a for a in store.accounts.values() if a.account_id == account_id]
        elif query := request.arg("query"):
            found = store.search_users(query)
        else:
            raise JiraApiError(400, ["The query parameter 'query' or 'accountId' is required."])
        start, size = int(request.arg("startAt") or 0), int(request.arg("maxResults") or 50)
        return Response(200, [store.render.user(a.account_id) for a in found[start : start + size]])

    def user(request: Request) -> Response:
        actor()
        account = store.accounts.get(request.arg("accountId") or "")
        if account is None:
            raise JiraApiError(404, ["Specified user does not exist or you do not have required permissions"])
        return Response(200, store.render.user(account.account_id))

    route("GET", "/user/search", user_search)
    route("GET", "/user", user)

    # -- issues ------------------------------------------------------------------------------------
    def create(request: Request) -> Response:
        body = _object(request)
        issue = changes.create_issue(store, actor(), body.get("fields") or {})
        return Response(
            201, {"id": issue.id, "key": issue.key, "self": f"{store.render.api}/issue/{issue.id}"}
        )

    def get_issue(request: Request) -> Response:
        fields = request.query.get("fields")
        issue = issue_of(request)
        return Response(
            200, store.render.issue(issue, fields, request.arg("expand"), request.arg("properties"))
        )

    def edit(request: Request) -> Response:
        body = _object(request)
        changes.edit_issue(
            store, actor(), issue_of(request), body.get("fields") or {}, body.get("update") or {}
        )
        return Response(204)

    def delete(request: Request) -> Response:
        changes.delete_issue(store, actor(), issue_of(request))
        return Response(204)

    route("POST", "/issue", create)
    route("GET", "/issue/{key}", get_issue)
    route("PUT", "/issue/{key}", edit)
    route("DELETE", "/issue/{key}", delete)

    def transitions(request: Request) -> Response:
        issue = issue_of(request)
        with_fields = "transitions.fields" in (request.arg("expand") or "").split(",")
        available = issue.project.workflow.available(issue.status)
        if wanted := request.arg("transitionId"):
            available = [t for t in available if t.id == wanted]
        names = {**FIELD_NAMES, **{c.id: c.name for c in store.custom_fields.values()}}
        return Response(
            200,
            {
                "expand": "transitions",
                "transitions": [store.render.transition(t, with_fields, names) for t in available],
            },
        )

    def transition(request: Request) -> Response:
        body = _object(request)
        wanted = (body.get("transition") or {}).get("id")
        if wanted is None:
            raise JiraApiError(400, ["Missing 'transition' identifier"])
        changes.transition_issue(
            store, actor(), issue_of(request), str(wanted), body.get("fields") or {}, body.get("update") or {}
        )
        return Response(204)

    route("GET", "/issue/{key}/transitions", transitions)
    route("POST", "/issue/{key}/transitions", transition)

    def comments(request: Request) -> Response:
        issue = issue_of(request)
        items = [store.render.comment(issue, c) for c in issue.comments]
        return Response(200, {"startAt": 0, "maxResults": len(items), "total": len(items), "comments": items})

    def add_comment(request: Request) -> Response:
        issue = issue_of(request)
        comment = changes.add_comment(store, actor(), issue, str(_object(request).get("body") or ""))
        return Response(201, store.render.comment(issue, comment))

    def assignee(request: Request) -> Response:
        body = _object(request)
        if "name" in body and "accountId" not in body:
            raise JiraApiError(
                400, ["'accountId' must be the only user identifying query parameter in GDPR strict mode."]
            )
        changes.assign_issue(store, actor(), issue_of(request), body.get("accountId"))
        return Response(204)

    route("GET", "/issue/{key}/comment", comments)
    route("POST", "/issue/{key}/comment", add_comment)
    route("PUT", "/issue/{key}/assignee", assignee)

    # -- entity properties (a second place to keep the tracker's idempotency marker) ---------------
    def property_keys(request: Request) -> Response:
        issue = issue_of(request)
        base = f"{store.render.api}/issue/{issue.id}/properties"
        return Response(200, {"keys": [{"self": f"{base}/{k}", "key": k} for k in issue.properties]})

    def get_property(request: Request) -> Response:
        issue, name = issue_of(request), request.params["prop"]
        if name not in issue.properties:
            raise JiraApiError(404, [f"The property with key '{name}' does not exist."])
        return Response(200, {"key": name, "value": issue.properties[name]})

    def put_property(request: Request) -> Response:
        issue, name = issue_of(request), request.params["prop"]
        created = name not in issue.properties
        issue.properties[name] = _json(request)
        return Response(201 if created else 200)

    def delete_property(request: Request) -> Response:
        issue, name = issue_of(request), request.params["prop"]
        if issue.properties.pop(name, None) is None:
            raise JiraApiError(404, [f"The property with key '{name}' does not exist."])
        return Response(204)

    route("GET", "/issue/{key}/properties", property_keys)
    route("GET", "/issue/{key}/properties/{prop}", get_property)
    route("PUT", "/issue/{key}/properties/{prop}", put_property)
    route("DELETE", "/issue/{key}/properties/{prop}", delete_property)

    # -- search ------------------------------------------------------------------------------------
    def search_jql(request: Request) -> Response:
        if request.method == "POST":
            body = _object(request)
            params = {k: body.get(k) for k in ("jql", "nextPageToken", "maxResults", "expand", "properties")}
            fields = body.get("fields")
            reconcile = body.get("reconcileIssues") or []
        else:
            params = {
                k: request.arg(k) for k in ("jql", "nextPageToken", "maxResults", "expand", "properties")
            }
            fields = request.query.get("fields")
            # requests sends a list as repeated parameters; a hand-written URL may use commas.
            reconcile = [v for raw in request.query.get("reconcileIssues", []) for v in raw.split(",") if v]
        try:
            max_results = int(params["maxResults"] or 50)
        except ValueError:
            raise JiraApiError(400, ["maxResults must be a number"]) from None
        if isinstance(params["properties"], list):
            params["properties"] = ",".join(params["properties"])
        result = store.search(
            actor(),
            params["jql"] or "",
            max_results,
            params["nextPageToken"],
            fields,
            params["expand"],
            params["properties"],
            _issue_ids(reconcile),
        )
        return Response(200, result)

    def search_gone(request: Request) -> Response:
        raise JiraApiError(410, [SEARCH_GONE])

    route("GET", "/search/jql", search_jql)
    route("POST", "/search/jql", search_jql)
    route("GET", "/search", search_gone)
    route("POST", "/search", search_gone)


def _issue_ids(values: Any) -> frozenset[str]:
    """reconcileIssues: a list of (at most 50) numeric issue ids."""
    if not isinstance(values, list) or len(values) > 50:
        raise JiraApiError(400, ["reconcileIssues accepts a list of at most 50 issue ids."])
    try:
        return frozenset(str(int(v)) for v in values)
    except (TypeError, ValueError):
        raise JiraApiError(400, ["reconcileIssues must hold numeric issue ids."]) from None


def _json(request: Request) -> Any:
    try:
        body = request.json()
    except ValueError:
        raise JiraApiError(400, ["Unexpected character in request body: not valid JSON"]) from None
    return {} if body is None else body


def _object(request: Request) -> dict[str, Any]:
    body = _json(request)
    if not isinstance(body, dict):
        raise JiraApiError(400, ["Can not deserialize instance of object out of a non-object token"])
    return body
