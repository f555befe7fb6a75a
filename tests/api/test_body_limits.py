"""Body caps per route: refused with 413 before the body is read."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi.testclient import TestClient

from tracker.api.body_limits import (
    CSV_IMPORT_MAX_BYTES,
    DEFAULT_MAX_BYTES,
    SLACK_MAX_BYTES,
    WEBHOOK_MAX_BYTES,
    limit_for,
)
from tracker.app import create_app
from tracker.config import ConnectionSettings, Settings

HUNDRED_MB = 100 * 1024 * 1024
CHUNK = 64 * 1024


@pytest.fixture
def served(settings: Settings, session_factory) -> Iterator[int]:  # type: ignore[no-untyped-def]
    """The app behind a real HTTP server on a loopback port (the TestClient buffers bodies)."""
    github = ConnectionSettings(kind="github", url="http://127.0.0.1:9/api/v3", token="t", webhook_secret="s")
    settings = settings.model_copy(update={"connections": {"gh": github}})
    config = uvicorn.Config(create_app(settings, session_factory=session_factory), host="127.0.0.1",
                            port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    port: int = server.servers[0].sockets[0].getsockname()[1]
    yield port
    server.should_exit = True
    thread.join(5)


def _post_streaming(port: int, path: str, *, declare_length: bool) -> tuple[bytes, int]:
    """Start sending a 100 MB body; stop at the first answer. (reply head, bytes sent)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    framing = f"Content-Length: {HUNDRED_MB}" if declare_length else "Transfer-Encoding: chunked"
    sock.sendall(f"POST {path} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n{framing}\r\n\r\n"
                 .encode())
    sent = 0
    sock.settimeout(0.0)
    reply = b""
    try:
        while sent < HUNDRED_MB:
            try:
                reply += sock.recv(4096)
            except BlockingIOError:
                pass
            if reply:
                break
            piece = b"[" * CHUNK
            frame = piece if declare_length else f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
            sock.settimeout(5)
            try:
                sock.sendall(frame)
            except OSError:  # the server closed the connection after answering
                sock.settimeout(5)
                reply += sock.recv(4096)
                break
            sock.settimeout(0.0)
            sent += len(piece)
        sock.settimeout(5)
        while b"}}" not in reply:  # the rest of the JSON error body
            more = sock.recv(4096)
            if not more:
                break
            reply += more
    finally:
        sock.close()
    return reply, sent


@pytest.mark.parametrize("declare_length", [True, False], ids=["content-length", "chunked"])
def test_a_100_mb_unauthenticated_webhook_gets_413_while_it_is_still_being_sent(
        served: int, declare_length: bool) -> None:
    reply, sent = _post_streaming(served, "/webhooks/github/gh", declare_length=declare_length)
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert b'"code":"too_large"' in reply
    # Answered long before the 100 MB were sent: what the kernel's loopback buffers take in
    # while a busy server reaches the cap is a few MB, never most of the body.
    assert sent < 16 * 1024 * 1024


def test_caps_per_route() -> None:
    assert limit_for("/webhooks/jira/main") == WEBHOOK_MAX_BYTES == 256 * 1024
    assert limit_for("/slack/commands") == SLACK_MAX_BYTES
    assert limit_for("/journey-maps/3/friction-points/import") == CSV_IMPORT_MAX_BYTES
    assert limit_for("/app/journey-maps/3/import/preview") == CSV_IMPORT_MAX_BYTES
    assert limit_for("/action-items") == DEFAULT_MAX_BYTES == 1024 * 1024


def test_oversized_json_api_body_gets_our_error_shape(client: TestClient) -> None:
    response = client.post("/action-items", content=b"{" + b" " * DEFAULT_MAX_BYTES + b"}",
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    small = client.post("/action-items", content=b"{}", headers={"Content-Type": "application/json"})
    assert small.status_code == 401  # under the cap, the usual rules apply
