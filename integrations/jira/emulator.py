"""A contract-faithful Jira Cloud REST v2 emulator, driven in tests by the real `jira` client.

    emu = JiraEmulator().start()
    jira = emu.client()                      # the tracker bot's JIRA(...) client
    key = jira.create_issue(fields={...}).key
    emu.human("alice@example.com").transition(key, "Done")
    emu.stop()

State lives in `JiraStore` (emulator_store), changes in emulator_changes, HTTP in emulator_routes,
JQL in emulator_jql / emulator_jql_eval, webhooks in emulator_webhooks. This module wires them to
the shared loopback server (`integrations.emulation.Emulator`) and adds auth, rate limiting,
call counters and the knobs tests turn.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from jira import JIRA

from integrations.emulation import Emulator, Request, Response
from integrations.jira import emulator_browse, emulator_count, emulator_routes
from integrations.jira.emulator_access import RateLimiter, basic_credentials, poke, too_many, unauthorized
from integrations.jira.emulator_humans import HumanActor
from integrations.jira.emulator_model import (
    Account,
    Clock,
    CustomField,
    IssueRecord,
    JiraApiError,
    ManualClock,
    Project,
    SystemClock,
)
from integrations.jira.emulator_store import EVERYONE, JiraStore
from integrations.jira.emulator_webhooks import WebhookDispatcher, sign
from integrations.jira.emulator_workflows import (
    Status,
    Transition,
    Workflow,
    review_workflow,
    simple_workflow,
)

API_PREFIX = r"/rest/api/(?:2|latest)"

# Seeded identities (with_defaults=True). The bot is the tracker's own integration account.
BOT_EMAIL, BOT_TOKEN, BOT_ID = "tracker-bot@example.com", "bot-token", "712020:tracker-bot"
ALICE_EMAIL, ALICE_TOKEN, ALICE_ID = "alice@example.com", "alice-token", "712020:alice"
BOB_EMAIL, BOB_TOKEN, BOB_ID = "bob@example.com", "bob-token", "712020:bob"


class JiraEmulator(Emulator):
    def __init__(
        self,
        *,
        clock: Clock | None = None,
        with_defaults: bool = True,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        fault_retry_after: int = 1,
        index_lag: float = 0.0,
    ) -> None:
        super().__init__()
        self.clock: Clock = clock or SystemClock()
        self.webhooks = WebhookDispatcher()
        self.webhooks.configure(webhook_url, webhook_secret)
        self.store = JiraStore(self.clock, lambda: self.url, self.webhooks)
        self.calls: Counter[str] = Counter()  # "GET /issue/{key}" -> handled requests
        self.fault_retry_after = fault_retry_after  # Retry-After on injected 503/429
        self.rate_limiter = RateLimiter()
        self.set_index_lag(index_lag)
        self._local = threading.local()  # the authenticated account of the request on this thread
        emulator_routes.install(self)
        emulator_count.install(self)  # search/approximate-count, for counted metrics
        emulator_browse.install(self)  # the ticket page "Open ticket" links lead to
        if with_defaults:
            self.bot = self.add_account(BOT_EMAIL, "Tracker Bot", BOT_TOKEN, account_id=BOT_ID, bot=True)
            self.add_account(ALICE_EMAIL, "Alice Lead", ALICE_TOKEN, account_id=ALICE_ID)
            self.add_account(BOB_EMAIL, "Bob Engineer", BOB_TOKEN, account_id=BOB_ID)
            self.add_project("CX", "Customer Experience", simple_workflow(), lead=ALICE_ID)
            self.add_project("OPS", "Operations", review_workflow(), lead=BOB_ID)

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self, port: int = 0) -> JiraEmulator:
        super().start(port)
        assert self._server is not None
        accept = self._server.get_request

        def get_request() -> tuple[socket.socket, Any]:
            # The base server writes headers and body separately; without TCP_NODELAY, Nagle
            # plus the client's delayed ACK adds ~40 ms to every request.
            connection, address = accept()
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return connection, address

        self._server.get_request = get_request  # type: ignore[method-assign]
        self.webhooks.start()
        return self

    def stop(self) -> None:
        self.webhooks.stop()
        if self._server is not None:
            # serve_forever notices shutdown only on its next 0.5 s poll; a connection wakes it.
            threading.Timer(0.01, poke, (self.port,)).start()
        super().stop()

    def __enter__(self) -> JiraEmulator:
        return self.start() if self._server is None else self

    # -- set-up helpers ----------------------------------------------------------------------------
    def add_account(
        self,
        email: str,
        display_name: str,
        api_token: str | None = None,
        *,
        account_id: str | None = None,
        bot: bool = False,
    ) -> Account:
        with self.lock:
            account = Account(
                account_id or f"712020:{email.split('@')[0]}", email, display_name, api_token, is_bot=bot
            )
            self.store.accounts[account.account_id] = account
            if bot and not hasattr(self, "bot"):
                self.bot = account
            return account

    def add_project(
        self, key: str, name: str | None = None, workflow: Workflow | None = None, lead: str | None = None
    ) -> Project:
        with self.lock:
            project = Project(
                str(next(self.store.project_ids)), key, name or key, workflow or simple_workflow(), lead
            )
            self.store.projects[key] = project
            return project

    def set_workflow(self, project_key: str, workflow: Workflow) -> None:
        """Workflow drift: swap a project's workflow (existing issues keep their status)."""
        with self.lock:
            self.store.projects[project_key].workflow = workflow

    def add_custom_field(self, name: str, type: str = "string") -> str:  # noqa: A002 - Jira's word
        """Register a site custom field ("string" | "number" | "date"); returns its id."""
        with self.lock:
            field_id = f"customfield_{next(self.store.custom_ids)}"
            self.store.custom_fields[field_id] = CustomField(field_id, name, type)
            return field_id

    def configure_webhooks(self, url: str | None, secret: str | None = None) -> None:
        self.webhooks.configure(url, secret)

    def set_rate_limit(self, limit: int | None, window_seconds: float = 60.0, retry_after: int = 1) -> None:
        """At most `limit` requests per account per window; beyond that 429 + Retry-After."""
        self.rate_limiter.configure(limit, window_seconds, retry_after)

    def set_index_lag(self, seconds: float) -> None:
        """Search-index lag: an issue is missing from JQL results for `seconds` (on this emulator's
        clock) after it was created or last changed; GET /issue shows it at once."""
        with self.lock:
            self.store.index_lag = timedelta(seconds=seconds)

    @property
    def rate_limit_violations(self) -> int:
        """How many requests the configured rate limit refused (injected 429s not counted)."""
        return self.rate_limiter.violations

    # -- vendor-state faults -----------------------------------------------------------------------
    def revoke(self, who: str) -> None:
        """Revoke an account's API token: every request with it answers 401."""
        with self.lock:
            self._account(who).revoked = True

    def restore(self, who: str) -> None:
        with self.lock:
            self._account(who).revoked = False

    def forbid_project(self, key: str, who: str | None = None) -> None:
        """Take away browse permission (from `who`, or everyone): its issues then answer 404."""
        with self.lock:
            self.store.forbidden.setdefault(key, set()).add(
                self._account(who).account_id if who else EVERYONE
            )

    def allow_project(self, key: str) -> None:
        with self.lock:
            self.store.forbidden.pop(key, None)

    def delete_issue(self, key: str, by: str = ALICE_EMAIL) -> None:
        """Someone deletes the issue in the UI (webhook `jira:issue_deleted`; 404 afterwards)."""
        self.human(by).delete(key)

    # -- people and state --------------------------------------------------------------------------
    def human(self, who: str) -> HumanActor:
        """A person acting in the UI, by accountId, email or display name."""
        return HumanActor(self.store, self.lock, self._account(who))

    def issue(self, key: str) -> IssueRecord:
        """The stored record (bypasses permissions), for assertions."""
        with self.lock:
            found = next((i for i in self.store.issues.values() if i.key == key), None)
            if found is None:
                raise KeyError(key)
            return found

    def issue_json(self, key: str) -> dict[str, Any]:
        with self.lock:
            return self.store.render.issue(self.issue(key))

    def issues(self, project: str | None = None) -> list[IssueRecord]:
        with self.lock:
            return [i for i in self.store.issues.values() if project is None or i.project.key == project]

    def _account(self, who: str) -> Account:
        found = self.store.account_ref(who)
        if found is None:
            raise KeyError(f"no account {who!r}")
        return found

    # -- clients and counters ----------------------------------------------------------------------
    def client(
        self,
        email: str = BOT_EMAIL,
        token: str = BOT_TOKEN,
        *,
        timeout: float = 5.0,
        max_retries: int = 3,
        max_retry_delay: float | None = 0.05,
    ) -> JIRA:
        """A real `jira.JIRA` client for this emulator, built the way production builds one.

        `max_retry_delay` caps ResilientSession's sleeps between retries (it would wait 10-20 s
        after a dropped connection); None keeps the library default of 60 s.
        """
        jira = JIRA(server=self.url, basic_auth=(email, token), timeout=timeout, max_retries=max_retries)
        if max_retry_delay is not None:
            jira._session.max_retry_delay = max_retry_delay  # type: ignore[assignment]
        return jira

    def call_count(self, method: str | None = None, template: str | None = None) -> int:
        """Handled requests, e.g. call_count("GET", "/issue/{key}"); no arguments = all routes."""
        with self.lock:
            return sum(
                n
                for name, n in self.calls.items()
                if (method is None or name.split(" ", 1)[0] == method)
                and (template is None or name.split(" ", 1)[1] == template)
            )

    def reset_calls(self) -> None:
        with self.lock:
            self.calls.clear()
            self.requests.clear()

    # -- hooks of the shared server ----------------------------------------------------------------
    def add_route(self, method: str, template: str, handler: Callable[[Request], Response]) -> None:
        pattern = API_PREFIX + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
        name = f"{method} {template}"

        def counted(request: Request) -> Response:
            with self.lock:
                self.calls[name] += 1
                try:
                    return handler(request)
                except JiraApiError as error:
                    return Response(error.status, error.body())

        self.router.add(method, pattern, counted)

    def actor(self) -> str | None:
        return getattr(self._local, "account", None)

    def authenticate(self, request: Request) -> Response | None:
        self._local.account = None
        header = request.headers.get("authorization", "")
        if not header and request.path.endswith("/serverInfo"):
            return None  # Jira answers serverInfo anonymously
        if request.path.startswith("/browse/"):
            return None  # a browser page, not the API (emulator_browse)
        credentials = basic_credentials(header) if header else None
        with self.lock:
            account = self.store.account_by_credentials(*credentials) if credentials else None
        if account is None:
            return unauthorized()
        self._local.account = account.account_id
        return None

    def before(self, request: Request) -> Response | None:
        account = self.actor()
        return self.rate_limiter.check(account) if account is not None else None

    def rate_limited_response(self, request: Request) -> Response:
        return too_many(self.fault_retry_after, self.fault_retry_after, self.rate_limiter.limit)

    def server_error_response(self, request: Request) -> Response:
        # Jira's 503 carries Retry-After; without it the jira client would not retry at all.
        body = {"errorMessages": ["Service Unavailable"], "errors": {}}
        return Response(503, body, {"Retry-After": str(self.fault_retry_after)})

    def not_found_response(self, request: Request) -> Response:
        return Response(404, {"errorMessages": ["null for uri: " + self.url + request.path], "errors": {}})


def main() -> None:
    """`python -m integrations.jira.emulator [port]`: a seeded emulator for the sandbox."""
    import sys

    emulator = JiraEmulator().start(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    print(f"Jira emulator on {emulator.url} (bot {BOT_EMAIL} / {BOT_TOKEN})", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        emulator.stop()


__all__ = [
    "JiraEmulator", "JiraApiError", "ManualClock", "SystemClock", "Workflow", "Transition", "Status",
    "review_workflow", "simple_workflow", "sign", "poke",
]  # fmt: skip

if __name__ == "__main__":
    main()
