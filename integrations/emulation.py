"""Shared machinery for the vendor emulators: a real HTTP server on loopback with fault injection.

The emulators are driven by the real SDK clients (jira, PyGithub, slack-sdk), so they must be
real HTTP servers; the standard library's threading server gives us full control of the socket,
which is what lets us inject the faults real vendors produce (a dropped connection, a reply that
never comes after the write already happened).
"""

from __future__ import annotations

import json
import random
import re
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    params: dict[str, str] = field(default_factory=dict)  # named groups from the route pattern

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.body.decode(), keep_blank_values=True).items()}

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default


@dataclass
class Response:
    status: int = 200
    body: Any = None  # dict/list -> JSON; bytes/str sent as is; None -> empty
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


Handler = Callable[[Request], Response]


class Fault(StrEnum):
    """Faults an emulator can inject, as real vendors produce them."""

    SERVER_ERROR = "server_error"  # 502/503 before doing anything
    RATE_LIMITED = "rate_limited"  # 429 (or vendor-specific) with Retry-After
    DROP = "drop"  # connection closed before the request is handled
    TIMEOUT_AFTER_WRITE = "timeout_after_write"  # handled (write done!), then no reply: client times out
    DROP_AFTER_WRITE = "drop_after_write"  # handled (write done!), then the connection is closed


@dataclass
class FaultPlan:
    """Which faults to inject, either queued one by one or at random with a fixed seed."""

    rate: float = 0.0
    kinds: tuple[Fault, ...] = tuple(Fault)
    methods: tuple[str, ...] = ("GET", "POST", "PUT", "PATCH", "DELETE")
    path_pattern: str = ""
    seed: int = 1
    timeout_seconds: float = 2.0
    queued: list[Fault] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self._lock = threading.Lock()
        self.injected: list[tuple[Fault, str, str]] = []

    def pick(self, method: str, path: str) -> Fault | None:
        if method not in self.methods or (self.path_pattern and not re.search(self.path_pattern, path)):
            return None
        with self._lock:
            fault: Fault | None = None
            if self.queued:
                fault = self.queued.pop(0)
            elif self.rate and self._random.random() < self.rate:
                fault = self._random.choice(self.kinds)
            if fault:
                self.injected.append((fault, method, path))
            return fault


class Router:
    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        compiled = re.compile("^" + pattern + "$")

        def register(handler: Handler) -> Handler:
            self._routes.append((method, compiled, handler))
            return handler

        return register

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method, re.compile("^" + pattern + "$"), handler))

    def match(self, method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
        for route_method, pattern, handler in self._routes:
            if route_method == method and (found := pattern.match(path)):
                return handler, found.groupdict()
        return None


class Emulator:
    """Base class: subclasses register routes on `self.router` and implement vendor errors."""

    rate_limit_status = 429

    def __init__(self) -> None:
        self.router = Router()
        self.faults = FaultPlan()
        self.lock = threading.RLock()  # emulator state is shared between handler threads
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request seen
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._server is not None, "emulator not started"
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, port: int = 0) -> Emulator:
        emulator = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
                return

            def _serve(self) -> None:
                emulator._dispatch(self)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        self._server = _LoopbackServer(("127.0.0.1", port), _Handler)
        self._server.daemon_threads = True
        # A short poll interval makes stop() prompt; the default (0.5 s) adds up across a suite.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Emulator:
        return self.start() if self._server is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- hooks for subclasses ---------------------------------------------------------------
    def authenticate(self, request: Request) -> Response | None:
        """Return an error response when the request's credentials are not accepted."""
        return None

    def rate_limited_response(self, request: Request) -> Response:
        return Response(self.rate_limit_status, {"message": "rate limited"}, {"Retry-After": "1"})

    def server_error_response(self, request: Request) -> Response:
        return Response(503, {"message": "Service Unavailable"})

    def not_found_response(self, request: Request) -> Response:
        return Response(404, {"message": "Not Found"})

    def before(self, request: Request) -> Response | None:
        """Called after auth and before the handler: place for vendor rate limits."""
        return None

    # -- dispatch --------------------------------------------------------------------------
    def _dispatch(self, http: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(http.path)
        length = int(http.headers.get("Content-Length") or 0)
        body = http.rfile.read(length) if length else b""
        request = Request(
            method=http.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in http.headers.items()},
            body=body,
        )
        with self.lock:
            self.requests.append((request.method, request.path))
        fault = self.faults.pick(request.method, request.path)
        if fault is Fault.DROP:
            return _drop(http)
        if fault is Fault.SERVER_ERROR:
            return _send(http, self.server_error_response(request))
        if fault is Fault.RATE_LIMITED:
            return _send(http, self.rate_limited_response(request))
        response = self.handle(request)
        if fault is Fault.TIMEOUT_AFTER_WRITE:
            time.sleep(self.faults.timeout_seconds)
            return _drop(http)
        if fault is Fault.DROP_AFTER_WRITE:
            return _drop(http)
        _send(http, response)

    def handle(self, request: Request) -> Response:
        denied = self.authenticate(request)
        if denied is not None:
            return denied
        limited = self.before(request)
        if limited is not None:
            return limited
        matched = self.router.match(request.method, request.path)
        if matched is None:
            return self.not_found_response(request)
        handler, params = matched
        request.params = params
        return handler(request)


class _LoopbackServer(ThreadingHTTPServer):
    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = super().get_request()
        # Headers and body go out in separate writes; without NODELAY, Nagle plus delayed ACKs
        # add ~40 ms to every request.
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up on a kept-alive connection (a process stopped mid-run) is
        # routine for a server, not a traceback on stderr; anything else is still reported.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def _send(http: BaseHTTPRequestHandler, response: Response) -> None:
    payload = response.encoded()
    http.send_response(response.status)
    headers = {"Content-Type": "application/json; charset=utf-8", **response.headers}
    for name, value in headers.items():
        http.send_header(name, value)
    http.send_header("Content-Length", str(len(payload)))
    http.end_headers()
    if payload and http.command != "HEAD":
        http.wfile.write(payload)


def _drop(http: BaseHTTPRequestHandler) -> None:
    http.close_connection = True
    try:
        http.connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
