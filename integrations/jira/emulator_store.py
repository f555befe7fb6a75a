"""The emulator's state and the lookups every operation shares: accounts, projects, issues, permissions.

Permission rule taken from Jira: an issue in a project the account may not browse is reported as
missing (404 / "does not exist"), so callers cannot tell "deleted" from "forbidden".
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from integrations.jira.emulator_jql import JqlError, parse
from integrations.jira.emulator_jql_eval import compile_query
from integrations.jira.emulator_model import Account, Clock, CustomField, IssueRecord, JiraApiError, Project
from integrations.jira.emulator_render import Renderer
from integrations.jira.emulator_webhooks import WebhookDispatcher
from integrations.jira.emulator_workflows import Status

ISSUE_NOT_FOUND = "Issue does not exist or you do not have permission to see it."
EVERYONE = "*"
MAX_RESULTS = 100  # Cloud's cap on /search/jql pages when fields are requested
UNBOUNDED_JQL = "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."


class JiraStore:
    def __init__(self, clock: Clock, base_url: Callable[[], str], webhooks: WebhookDispatcher) -> None:
        self.clock = clock
        self.accounts: dict[str, Account] = {}
        self.projects: dict[str, Project] = {}  # by key
        self.issues: dict[str, IssueRecord] = {}  # by id
        self.deleted: dict[str, IssueRecord] = {}  # by key: gone for good, 404 like real Jira
        self.custom_fields: dict[str, CustomField] = {}
        self.forbidden: dict[str, set[str]] = {}  # project key -> account ids that may not browse it
        self.render = Renderer(base_url, self.accounts, self.custom_fields)
        self.webhooks = webhooks
        self.issue_ids = itertools.count(10001)
        self.project_ids = itertools.count(10000)
        self.history_ids = itertools.count(10100)
        self.comment_ids = itertools.count(10000)
        self.custom_ids = itertools.count(10050)
        # Jira Cloud's search index trails writes ("recent updates might not be immediately
        # visible"): for this long after its last change an issue is missing from JQL results,
        # while GET /issue already shows it. 0: an index that never lags.
        self.index_lag = timedelta(0)

    # -- accounts ----------------------------------------------------------------------------------
    def account_by_credentials(self, email: str, token: str) -> Account | None:
        for account in self.accounts.values():
            if (
                account.email == email
                and account.api_token == token
                and not account.revoked
                and account.active
            ):
                return account
        return None

    def account_ref(self, ref: str) -> Account | None:
        """An account by accountId, email or display name (case-insensitive)."""
        lowered = ref.lower()
        for account in self.accounts.values():
            if ref == account.account_id or lowered in (account.email.lower(), account.display_name.lower()):
                return account
        return None

    def search_users(self, query: str) -> list[Account]:
        """Cloud's `user/search?query=`: matches display name and email, not the accountId."""
        lowered = query.lower()
        return [
            a
            for a in self.accounts.values()
            if a.active and (lowered in a.display_name.lower() or lowered in a.email.lower())
        ]

    # -- permissions and lookups -------------------------------------------------------------------
    def can_browse(self, project: Project, account_id: str | None) -> bool:
        denied = self.forbidden.get(project.key, set())
        return EVERYONE not in denied and account_id not in denied

    def project_ref(self, ref: str, account_id: str | None) -> Project | None:
        for project in self.projects.values():
            if (
                ref in (project.key, project.id)
                or ref.lower() == project.name.lower()
                or ref.upper() == project.key
            ):
                return project if self.can_browse(project, account_id) else None
        return None

    def issue_ref(self, ref: str, account_id: str | None) -> IssueRecord | None:
        issue = self.issues.get(ref) or next((i for i in self.issues.values() if i.key == ref.upper()), None)
        if issue is None or not self.can_browse(issue.project, account_id):
            return None
        return issue

    def get_issue(self, ref: str, account_id: str | None) -> IssueRecord:
        issue = self.issue_ref(ref, account_id)
        if issue is None:
            raise JiraApiError(404, [ISSUE_NOT_FOUND])
        return issue

    def all_statuses(self) -> list[Status]:
        seen: dict[str, Status] = {}
        for project in self.projects.values():
            for status in project.workflow.statuses:
                seen.setdefault(status.id, status)
        return list(seen.values())

    def custom_field_ref(self, ref: str) -> CustomField | None:
        lowered = ref.lower()
        for custom in self.custom_fields.values():
            number = custom.id.split("_")[1]
            if lowered in (custom.id, custom.name.lower(), f"cf[{number}]"):
                return custom
        return None

    def now(self) -> datetime:
        return self.clock.now()

    # -- search ------------------------------------------------------------------------------------
    def search(
        self,
        account_id: str | None,
        jql: str,
        max_results: int,
        page_token: str | None,
        fields: list[str] | None,
        expand: str | None = None,
        properties: str | None = None,
        reconcile: frozenset[str] = frozenset(),
    ) -> dict[str, Any]:
        """`reconcile`: ids of issues whose fresh state the caller needs (Cloud's reconcileIssues,
        read-after-write consistency for those): they skip the index lag."""
        try:
            predicate, sorter = compile_query(parse(jql), _SearchContext(self, account_id))
        except JqlError as error:
            raise JiraApiError(400, [str(error)]) from None
        indexed_before = self.now() - self.index_lag
        visible = [
            i for i in self.issues.values()
            if self.can_browse(i.project, account_id) and (i.updated <= indexed_before or i.id in reconcile)
        ]
        matched = sorter([i for i in visible if predicate(i)])
        offset = _read_token(page_token, jql) if page_token else 0
        size = max(1, min(max_results, MAX_RESULTS))
        page = matched[offset : offset + size]
        body: dict[str, Any] = {
            "issues": [self.render.issue(i, fields or ["id"], expand, properties) for i in page]
        }
        if offset + size < len(matched):
            body["nextPageToken"] = _make_token(offset + size, jql)
        body["isLast"] = "nextPageToken" not in body
        return body

    def count(self, account_id: str | None, jql: str) -> int:
        """Cloud's search/approximate-count: what the index shows (same lag as search), and only
        for a bounded query (one with at least one condition), as Cloud demands."""
        try:
            query = parse(jql)
            predicate, _ = compile_query(query, _SearchContext(self, account_id))
        except JqlError as error:
            raise JiraApiError(400, [str(error)]) from None
        if query.where is None:
            raise JiraApiError(400, [UNBOUNDED_JQL])
        indexed_before = self.now() - self.index_lag
        return sum(1 for i in self.issues.values()
                   if self.can_browse(i.project, account_id) and i.updated <= indexed_before
                   and predicate(i))


class _SearchContext:
    """The store as seen by one searching account (what JQL may resolve)."""

    def __init__(self, store: JiraStore, account_id: str | None) -> None:
        self.store, self.account = store, account_id

    def now(self) -> datetime:
        return self.store.now()

    def current_account(self) -> str | None:
        return self.account

    def visible_project(self, ref: str) -> Project | None:
        return self.store.project_ref(ref, self.account)

    def visible_issue(self, ref: str) -> IssueRecord | None:
        return self.store.issue_ref(ref, self.account)

    def account_id(self, ref: str) -> str | None:
        found = self.store.account_ref(ref)
        return found.account_id if found else None

    def all_statuses(self) -> list[Status]:
        return self.store.all_statuses()

    def custom_field(self, ref: str) -> CustomField | None:
        return self.store.custom_field_ref(ref)


# Page tokens are opaque to clients; ours carry the offset and a digest of the JQL they belong to.
def _make_token(offset: int, jql: str) -> str:
    raw = json.dumps({"o": offset, "q": hashlib.sha1(jql.encode()).hexdigest()[:12]})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _read_token(token: str, jql: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if data["q"] != hashlib.sha1(jql.encode()).hexdigest()[:12]:
            raise ValueError("token from another query")
        return int(data["o"])
    except (ValueError, KeyError, TypeError):
        raise JiraApiError(400, ["The provided next page token is invalid or expired."]) from None
