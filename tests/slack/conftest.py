"""Slack tests: the real app (over a loopback relay), the real worker and the real slack-sdk
WebClient against the Slack emulator; every DB test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session

from integrations.slack.emulator import SlackEmulator
from tests import factories
from tests.factories.slack import SlackWorld
from tracker.app import create_app
from tracker.config import Settings, SlackSettings
from tracker.outbox.models import OutboxMessage
from tracker.slack.outbound import INTERACTION_KIND
from tracker.worker.main import build_worker
from tracker.worker.runner import Worker

TOKEN = "xoxb-test-token"
SECRET = "test-signing-secret"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # slack-sdk (urllib) honours HTTP(S)_PROXY; loopback traffic must never go through one.
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "*")


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    emu = SlackEmulator(bot_token=TOKEN, signing_secret=SECRET, time_scale=0.01, fault_retry_after=0)
    with emu:
        yield emu


@pytest.fixture
def slack_settings(database, emulator: SlackEmulator) -> Settings:  # type: ignore[no-untyped-def]
    return Settings(database_url=database.url, base_url="http://tracker.test", outbox_backoff_scale=0.001,
                    slack=SlackSettings(bot_token=SecretStr(TOKEN), signing_secret=SecretStr(SECRET),
                                        base_url=emulator.url + "/api/"))


@pytest.fixture
def slack_client(slack_settings: Settings, session_factory) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    app = create_app(slack_settings, session_factory=session_factory)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


class _JoiningHTTPServer(ThreadingHTTPServer):
    # Closing waits for requests still being relayed (a delivery the emulator gave up on after
    # Slack's 3 s may still be running): the TestClient must outlive every call made through it.
    daemon_threads = False
    block_on_close = True


class Relay:
    """Loopback HTTP in front of the TestClient, so the emulator's signed deliveries reach the app."""

    def __init__(self, client: TestClient) -> None:
        relay_client = client

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - stdlib name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                reply = relay_client.post(self.path, content=body, headers=headers)
                self.send_response(reply.status_code)
                self.send_header("Content-Type", reply.headers.get("content-type", "text/plain"))
                self.send_header("Content-Length", str(len(reply.content)))
                self.end_headers()
                self.wfile.write(reply.content)

            def log_message(self, *args: Any) -> None:
                return

        self.server = _JoiningHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def relay(slack_client: TestClient, emulator: SlackEmulator) -> Iterator[Relay]:
    r = Relay(slack_client)
    emulator.interactivity_url = r.url + "/slack/interactivity"
    emulator.slash_command_url = r.url + "/slack/commands"
    yield r
    r.close()


class Clock:
    """The worker's clock; tests move it past a retry's backoff."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    @property
    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def worker(slack_settings: Settings, session_factory, clock: Clock) -> Worker:  # type: ignore[no-untyped-def]
    w = build_worker(slack_settings, session_factory, worker_id="slack-test")
    w.ctx.clock = clock
    w.max_attempts = 5
    return w


@pytest.fixture
def world(session: Session, emulator: SlackEmulator) -> SlackWorld:
    return SlackWorld.build(session, emulator)


def outbox(session: Session, kind: str | None = None) -> list[OutboxMessage]:
    session.expire_all()
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind is not None:
        stmt = stmt.where(OutboxMessage.kind == kind)
    return list(session.scalars(stmt))


def drain(worker: Worker, clock: Clock, rounds: int = 5) -> None:
    """Run the worker, then again past any backoff, until nothing is left to do."""
    for _ in range(rounds):
        worker.run_until_idle()
        clock.advance(3600)


def apply_clicks(worker: Worker) -> int:
    """Apply the clicks the endpoint stored, and nothing else: their answers and the redrawn
    messages stay queued for the test to look at or deliver."""
    kept = worker.handlers
    worker.handlers = {INTERACTION_KIND: kept[INTERACTION_KIND]}
    try:
        return worker.run_until_idle()
    finally:
        worker.handlers = kept


__all__ = ["Clock", "Relay", "apply_clicks", "date", "drain", "factories", "outbox"]
