"""Fixtures: a started emulator with a small workspace, and a real slack-sdk WebClient on it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import pytest
from slack_sdk import WebClient

from integrations.emulation import Emulator, Request, Response
from integrations.slack.emulator import SlackEmulator, stop_quickly
from integrations.slack.workspace import Conversation, User

TOKEN = "xoxb-test-token"
SECRET = "test-signing-secret"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # slack-sdk (urllib) honours HTTP(S)_PROXY; loopback traffic must never go through one.
    for name in (
        "http_proxy",
        "https_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "*")


@dataclass
class Team:
    ana: User
    ben: User
    gone: User  # deactivated person
    cx: Conversation  # the bot is a member
    private: Conversation  # the bot is not a member
    old: Conversation  # archived


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    emu = SlackEmulator(bot_token=TOKEN, signing_secret=SECRET, time_scale=0.01, fault_retry_after=0)
    with emu:
        yield emu


@pytest.fixture
def team(emulator: SlackEmulator) -> Team:
    ana = emulator.add_user("ana", email="ana@example.com", real_name="Ana Silva")
    ben = emulator.add_user("ben", email="ben@example.com", real_name="Ben Okafor")
    gone = emulator.add_user("gone", email="gone@example.com", deleted=True)
    return Team(
        ana=ana,
        ben=ben,
        gone=gone,
        cx=emulator.add_channel("cx-findings", members=[ana.id, ben.id]),
        private=emulator.add_channel("leads", members=[ana.id], bot_member=False),
        old=emulator.add_channel("old-programme", archived=True),
    )


@pytest.fixture
def client(emulator: SlackEmulator) -> WebClient:
    # retry_handlers=[]: each test states the retries it wants instead of inheriting the default
    # one-retry-on-connection-error handler.
    return WebClient(TOKEN, base_url=emulator.url + "/api/", retry_handlers=[], timeout=5)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.body.decode(), keep_blank_values=True).items()}

    def payload(self) -> dict[str, Any]:
        return json.loads(self.form()["payload"])


@dataclass
class App:
    """A stand-in for the tracker's HTTP side: records what Slack (the emulator) sends it."""

    server: Emulator
    received: list[Received] = field(default_factory=list)
    reply: Callable[[Received], Response] = lambda r: Response(200)

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture
def app(emulator: SlackEmulator) -> Iterator[App]:
    server = Emulator()
    recorder = App(server)

    def receive(request: Request) -> Response:
        got = Received(request.path, request.headers, request.body)
        recorder.received.append(got)
        return recorder.reply(got)

    server.router.add("POST", r"/slack/.*", receive)
    server.start()
    emulator.interactivity_url = server.url + "/slack/interactivity"
    emulator.slash_command_url = server.url + "/slack/commands"
    yield recorder
    stop_quickly(server)
