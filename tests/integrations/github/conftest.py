"""Fixtures: a started emulator, a real PyGithub client for the bot, and a webhook receiver."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from github import Github

from integrations.github.emulator import GitHubEmulator

REPO = "acme/cx"


@pytest.fixture
def emu() -> Iterator[GitHubEmulator]:
    emulator = GitHubEmulator(repos=[REPO, "acme/other"], users=["alice", "bob"])
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def gh(emu: GitHubEmulator) -> Github:
    return emu.client()


@dataclass
class Received:
    headers: Message  # case-insensitive, like any web framework's
    body: bytes


@dataclass
class Receiver:
    url: str
    received: list[Received] = field(default_factory=list)
    status: int = 200

    def events(self) -> list[tuple[str, Any]]:
        import json

        return [(r.headers["X-GitHub-Event"], json.loads(r.body)["action"]) for r in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A stand-in for the tracker's webhook endpoint that records what GitHub posts."""
    box: list[Receiver] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - stdlib name
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            box[0].received.append(Received(self.headers, body))
            self.send_response(box[0].status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    box.append(Receiver(f"http://127.0.0.1:{server.server_address[1]}/webhooks/github"))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield box[0]
    server.shutdown()
    server.server_close()
