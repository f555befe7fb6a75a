"""A GitHub REST API emulator (GitHub Enterprise style, base URL `<url>/api/v3`) for PyGithub.

It is what the tracker's tests, benchmarks and sandbox talk to instead of github.com: token
auth, issues/milestones/comments, pagination, conditional requests, primary and secondary
rate limits, deleted/transferred/forbidden issues, signed webhooks and injected faults.
The pieces live next to it: state (`emulator_state`), mutations (`emulator_issues`), JSON
(`emulator_render`), endpoints (`emulator_routes`), limits (`emulator_ratelimit`),
webhooks (`emulator_webhooks`) and web-UI actions (`emulator_human`).
"""

from __future__ import annotations

import contextlib
import math
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from github import Auth, Github, GithubRetry
from urllib3 import Retry

from integrations.emulation import Emulator, Handler, Request, Response
from integrations.github.emulator_browse import issue_page
from integrations.github.emulator_conditional import add_validators, not_modified
from integrations.github.emulator_human import HumanActions
from integrations.github.emulator_ratelimit import RateLimiter, RateLimits, refusal_body
from integrations.github.emulator_render import Renderer
from integrations.github.emulator_routes import Routes
from integrations.github.emulator_search import SEARCH_TEMPLATE, SearchRoutes
from integrations.github.emulator_state import ApiError, Event, GitHubState, User
from integrations.github.emulator_webhooks import Delivery, WebhookDispatcher

API_PREFIX = "/api/v3"
DOCS = "https://docs.github.com/rest"
BOT_LOGIN = "tracker-bot"
BOT_TOKEN = "ghp_trackerbot"
DEFAULT_REPO = "acme/cx"
_DEFAULT_RETRY: Any = object()


def utc_now() -> datetime:
    return datetime.now(UTC)


class ManualClock:
    """A test clock usable for both `now` (datetimes) and `clock` (epoch seconds)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._t = (start or datetime(2025, 1, 6, 9, 0, tzinfo=UTC)).timestamp()

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._t, UTC)

    def time(self) -> float:
        return self._t

    def advance(self, seconds: float) -> None:
        self._t += seconds


class GitHubEmulator(HumanActions, Emulator):
    rate_limit_status = 403  # injected rate-limit faults look like GitHub's secondary limit

    def __init__(
        self, *, repos: Iterable[str] = (DEFAULT_REPO,),
        tokens: dict[str, str] | None = None, users: Iterable[str] = (),
        limits: RateLimits | None = None, time_scale: float | None = None,
        now: Callable[[], datetime] = utc_now, clock: Callable[[], float] = time.time,
        webhook_url: str | None = None, webhook_secret: str | None = None,
    ) -> None:
        super().__init__()
        self.state = GitHubState(now)
        self.limits = limits or RateLimits()
        if time_scale is not None:
            self.limits.time_scale = time_scale
        self.limiter = RateLimiter(self.limits, clock)
        self.webhooks = WebhookDispatcher(webhook_url, webhook_secret)
        self.tokens: dict[str, str] = {}  # token -> login (revoked tokens are removed)
        self.calls: Counter[tuple[str, str]] = Counter()  # (method, route template) -> count
        self.not_modified = 0  # 304 answers given (free of rate limit)
        self._templates: dict[Handler, str] = {}
        self._renderer: Renderer | None = None
        self._started_at = self.state.now()
        for token, login in (tokens if tokens is not None else {BOT_TOKEN: BOT_LOGIN}).items():
            self.add_token(token, login)
        for login in users:
            self.state.add_user(login)
        for full_name in repos:
            self.state.add_repo(full_name)
        Routes(self)
        self.search = SearchRoutes(self)  # /search/issues and its own 30-a-minute quota

    # -- setup -------------------------------------------------------------------------------
    def add_route(self, method: str, pattern: str, template: str, handler: Handler) -> None:
        # Handlers are unique per route: the template is how call counters name the route.
        assert handler not in self._templates, f"handler reused for {template}"
        self.router.add(method, pattern, handler)
        self._templates[handler] = template

    def add_token(self, token: str, login: str, type: str = "User") -> None:  # noqa: A002
        with self.lock:
            self.state.add_user(login, type)
            self.tokens[token] = login

    def revoke_token(self, token: str) -> None:
        """From now on the token gets 401 Bad credentials."""
        with self.lock:
            self.tokens.pop(token, None)

    def add_user(self, login: str, type: str = "User") -> User:  # noqa: A002
        with self.lock:
            return self.state.add_user(login, type)

    def add_repo(self, full_name: str) -> None:
        with self.lock:
            self.state.add_repo(full_name)

    # -- URLs and the client -----------------------------------------------------------------
    @property
    def web_url(self) -> str:
        return self.url if self._server is not None else "http://127.0.0.1:0"

    @property
    def api_url(self) -> str:
        """The base_url to give PyGithub."""
        return f"{self.web_url}{API_PREFIX}"

    @property
    def render(self) -> Renderer:
        if self._renderer is None or self._renderer.web != self.web_url:
            self._renderer = Renderer(self.web_url)
        return self._renderer

    def client(
        self, token: str = BOT_TOKEN, *, retry: Any = _DEFAULT_RETRY, timeout: int = 5,
        per_page: int = 30,
    ) -> Github:
        """A PyGithub client wired like production's, minus the client-side throttling.

        The default retry is PyGithub's GithubRetry with its 60 s secondary-limit wait scaled
        by time_scale; pass `retry=None`/`0` to see raw errors, or your own Retry.
        """
        if retry is _DEFAULT_RETRY:
            retry = GithubRetry(secondary_rate_wait=max(1.0, 60 / self.limits.time_scale))
        assert retry is None or isinstance(retry, int | Retry)
        return Github(
            auth=Auth.Token(token), base_url=self.api_url, timeout=timeout, per_page=per_page,
            seconds_between_requests=0, seconds_between_writes=0, retry=retry,
        )

    # -- webhooks ----------------------------------------------------------------------------
    def configure_webhook(self, url: str | None, secret: str | None = None) -> None:
        self.webhooks.url, self.webhooks.secret = url, secret

    def emit(self, events: list[Event]) -> None:
        """Render payloads now (issue as of this change) and queue them for delivery."""
        for event in events:
            self.webhooks.emit(event.kind, self.render.event(event))

    @property
    def deliveries(self) -> list[Delivery]:
        return list(self.webhooks.deliveries)

    def pause_webhooks(self) -> None:
        self.webhooks.pause()

    def resume_webhooks(self) -> None:
        self.webhooks.resume()

    def drain_webhooks(self, timeout: float = 5.0) -> bool:
        return self.webhooks.drain(timeout)

    def redeliver(self, delivery_id: str) -> Delivery:
        return self.webhooks.redeliver(delivery_id)

    # -- counters ----------------------------------------------------------------------------
    @property
    def violations(self) -> Counter[str]:
        """Requests refused by a rate limit, by kind (primary, secondary_content/points)."""
        return self.limiter.violations

    @property
    def violation_count(self) -> int:
        return self.limiter.violation_count

    def call_count(self, method: str | None = None, route: str | None = None) -> int:
        return sum(n for (m, r), n in self.calls.items()
                   if (method is None or m == method) and (route is None or r == route))

    def reset_counters(self) -> None:
        with self.lock:
            self.calls.clear()
            self.limiter.violations.clear()
            self.not_modified = 0
            self.requests.clear()

    # -- request handling (overrides the base flow to add GitHub's headers and limits) -------
    def handle(self, request: Request) -> Response:
        with self.lock:
            page = issue_page(self.state, request)  # an html_url opened in a browser, not the API
            return page if page is not None else self._handle(request)

    def _handle(self, request: Request) -> Response:
        route_path = request.path[len(API_PREFIX):] if request.path.startswith(API_PREFIX) else ""
        matched = self.router.match(request.method, route_path) if route_path else None
        template = self._templates[matched[0]] if matched else request.path
        self.calls[(request.method, template)] += 1
        token = _token(request)
        login = self.tokens.get(token) if token else None
        if token is None or login is None:
            message = "Bad credentials" if token else "Requires authentication"
            return self._finish(Response(401, {"message": message, "documentation_url": DOCS,
                                               "status": "401"}), None)
        if matched is None:
            refusal = self.limiter.consume(token, request.method)
            response = self._refused(refusal, login) if refusal else self._error(
                ApiError(404, "Not Found"))
            return self._finish(response, token)
        handler, params = matched
        request.params = {k: v for k, v in params.items() if v is not None} | {"_actor": login}
        if template == "/rate_limit":  # GitHub does not charge for asking
            return self._finish(self._rate_limit(token), token)
        if template == SEARCH_TEMPLATE:  # search has its own quota, not the core one
            return self.search.answer(handler, request, token, login)
        if request.method == "GET":
            # Reads are side-effect free, so answer first: a 304 must not cost rate limit.
            response = self._run(handler, request)
            if response.status == 200:
                add_validators(response, self._started_at)
                if not_modified(request, response):
                    self.not_modified += 1
                    keep = {k: response.headers[k] for k in ("ETag", "Last-Modified")}
                    return self._finish(Response(304, None, keep), token)
            refusal = self.limiter.consume(token, request.method)
        else:
            refusal = self.limiter.consume(token, request.method)
            if refusal is None:
                response = self._run(handler, request)
        if refusal is not None:
            response = self._refused(refusal, login)
        return self._finish(response, token)

    def _rate_limit(self, token: str) -> Response:
        headers = self.limiter.headers(token)
        rate = {"limit": int(headers["X-RateLimit-Limit"]),
                "remaining": int(headers["X-RateLimit-Remaining"]),
                "reset": int(headers["X-RateLimit-Reset"]),
                "used": int(headers["X-RateLimit-Used"]), "resource": "core"}
        return Response(200, {"resources": {"core": rate}, "rate": rate})

    def _run(self, handler: Handler, request: Request) -> Response:
        try:
            return handler(request)
        except ApiError as error:
            return self._error(error)

    def _error(self, error: ApiError) -> Response:
        body: dict[str, Any] = {"message": error.message, **error.extra, "documentation_url": DOCS,
                                "status": str(error.status)}
        if error.errors:
            body["errors"] = error.errors
        return Response(error.status, body, dict(error.headers))

    def _refused(self, refusal: Any, login: str) -> Response:
        user = self.state.user(login)
        body = refusal_body(refusal, login, user.id if user else 0)
        headers = {"Retry-After": str(refusal.retry_after)} if refusal.retry_after else {}
        return Response(self.limits.status, body, headers)

    def _finish(self, response: Response, token: str | None) -> Response:
        """Headers GitHub puts on every reply, rate-limit ones included."""
        headers = self.limiter.headers(token or "anonymous")
        if token is None:
            headers |= {"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "60"}
        response.headers = {
            **headers, "X-GitHub-Media-Type": "github.v3; format=json",
            "X-GitHub-Api-Version-Selected": "2022-11-28",
            "X-GitHub-Request-Id": uuid.uuid4().hex[:16].upper(),
            "Vary": "Accept, Authorization, Cookie", **response.headers,
        }
        return response

    # -- injected faults shaped like GitHub's --------------------------------------------------
    def rate_limited_response(self, request: Request) -> Response:
        wait = max(1, math.ceil(60 / self.limits.time_scale))
        body = {"message": "You have exceeded a secondary rate limit. Please wait a few minutes "
                "before you try again.", "documentation_url": f"{DOCS}#secondary-rate-limits"}
        with self.lock:  # called by the base dispatcher outside the handling lock
            response = Response(self.rate_limit_status, body, {"Retry-After": str(wait)})
            return self._finish(response, _token(request))

    def server_error_response(self, request: Request) -> Response:
        return Response(502, {"message": "Server Error"})

    def start(self, port: int = 0) -> GitHubEmulator:
        super().start(port)
        assert self._server is not None
        server, accept = self._server, self._server.get_request

        def get_request() -> tuple[socket.socket, Any]:
            # The base server writes headers and body separately; without TCP_NODELAY Nagle
            # plus the client's delayed ACK adds ~40 ms to every single request.
            connection, address = accept()
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return connection, address

        server.get_request = get_request  # type: ignore[method-assign]
        return self

    def __enter__(self) -> GitHubEmulator:  # typed for `with GitHubEmulator() as emu`
        return self.start() if self._server is None else self

    def stop(self) -> None:
        if self._server is not None:
            # serve_forever only notices shutdown on its next 0.5 s poll; a connection right
            # after the request wakes it at once, which keeps test teardown fast.
            threading.Timer(0.01, _poke, (self.port,)).start()
        super().stop()
        self.webhooks.drain(timeout=0.5)
        self.webhooks.close()


def _poke(port: int) -> None:
    with contextlib.suppress(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()


def _token(request: Request) -> str | None:
    value = request.headers.get("authorization", "")
    scheme, _, credential = value.partition(" ")
    if scheme.lower() in ("token", "bearer") and credential.strip():
        return credential.strip()
    return None
