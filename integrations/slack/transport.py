"""HTTP side of the Slack emulator: token checks, method tiers, routing and request records.

Separate from emulator.py (workspace set-up and inspection) to keep each module readable.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

from integrations.emulation import Emulator, Request, Response
from integrations.slack.ratelimit import RateLimiter
from integrations.slack.web_api import SlackError, WebApi, ratelimited, read_args
from integrations.slack.workspace import Workspace

API_PREFIX = "/api/"


def stop_quickly(emulator: Emulator) -> None:
    """Emulator.stop() without the up-to-0.5 s wait for serve_forever's poll to notice.

    shutdown() only takes effect when the server loop wakes; a throwaway connection wakes it at
    once, which takes ~0.5 s off every test's teardown. (Suggested base change: serve_forever
    with a short poll_interval.)
    """
    server = emulator._server
    if server is None:
        return
    address = server.server_address
    stopper = threading.Thread(target=server.shutdown, daemon=True)
    stopper.start()
    while stopper.is_alive():
        with contextlib.suppress(OSError):
            socket.create_connection((str(address[0]), int(address[1])), timeout=0.2).close()
        stopper.join(0.01)
    server.server_close()
    emulator._server = None


@dataclass
class ApiCall:
    """One Web API request as the emulator saw it (faults that drop before handling are absent)."""

    method: str
    args: dict[str, Any]
    status: int
    error: str | None  # Slack error code, None on success


class SlackTransport(Emulator):
    """Slack's HTTP conventions on top of the shared loopback server."""

    rate_limit_status = 429
    workspace: Workspace
    limiter: RateLimiter
    api: WebApi
    fault_retry_after: int
    request_counts: Counter[str]  # Web API method -> requests that got past fault injection
    calls: list[ApiCall]
    internal_errors: list[str]  # exceptions raised by handlers; tests can assert it stays empty

    def stop(self) -> None:
        stop_quickly(self)

    # -- HTTP hooks --------------------------------------------------------------------------
    def rate_limited_response(self, request: Request) -> Response:
        return ratelimited(self.fault_retry_after).response()

    def server_error_response(self, request: Request) -> Response:
        # Slack's edge answers 5xx with a small body; slack-sdk raises SlackApiError (status 503).
        return Response(503, {"ok": False, "error": "service_unavailable"})

    def not_found_response(self, request: Request) -> Response:
        return Response(404, "Not Found", {"Content-Type": "text/plain"})

    def authenticate(self, request: Request) -> Response | None:
        if not request.path.startswith(API_PREFIX):
            return None  # the sandbox and response URLs are not token-authenticated
        token = self._token(request)
        if token is None:
            return SlackError("not_authed").response()
        record = self.workspace.tokens.get(token)
        if record is None:
            return SlackError("invalid_auth").response()
        if record.revoked:
            return SlackError("token_revoked").response()
        if record.inactive:
            return SlackError("account_inactive").response()
        return None

    def before(self, request: Request) -> Response | None:
        if not request.path.startswith(API_PREFIX):
            return None
        retry_after = self.limiter.check_method(self._token(request) or "", request.path[len(API_PREFIX) :])
        return ratelimited(retry_after).response() if retry_after is not None else None

    def handle(self, request: Request) -> Response:
        try:
            response = super().handle(request)
        except Exception as err:  # an emulator bug: answer like Slack's fatal_error, keep it visible
            with self.lock:
                self.internal_errors.append(f"{request.method} {request.path}: {err!r}")
            response = Response(500, {"ok": False, "error": "fatal_error"})
        if request.path.startswith(API_PREFIX):
            self._record_call(request, response)
        return response

    def _api(self, request: Request) -> Response:
        method = request.params["method"]
        handler = self.api.methods.get(method)
        if handler is None:
            return Response(200, {"ok": False, "error": "unknown_method", "req_method": method})
        try:
            with self.lock:
                return Response(200, {"ok": True, **handler(read_args(request))})
        except SlackError as err:
            return err.response()

    def _token(self, request: Request) -> str | None:
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("bearer ") and auth[7:].strip():
            return auth[7:].strip()
        try:
            token = read_args(request).get("token")  # Slack still takes `token=` in form bodies
        except SlackError:
            return None
        return str(token) if token else None

    def _record_call(self, request: Request, response: Response) -> None:
        method = request.path[len(API_PREFIX) :]
        try:
            args = read_args(request)
        except SlackError:
            args = {}
        body = response.body if isinstance(response.body, dict) else {}
        with self.lock:
            self.request_counts[method] += 1
            self.calls.append(ApiCall(method, args, response.status, body.get("error")))
