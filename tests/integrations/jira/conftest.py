"""Fixtures: a started Jira emulator (manual clock), the bot's real `jira` client, a webhook receiver."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from jira import JIRA

from integrations.emulation import Emulator, Request, Response
from integrations.jira.emulator import JiraEmulator, ManualClock, poke

HOOK_SECRET = "s3cret-hook"


def task(summary: str = "Fix the refund journey", project: str = "CX", **extra: object) -> dict[str, object]:
    """Create-issue fields in the form the tracker sends (dicts, so the client makes no look-ups)."""
    return {"project": {"key": project}, "issuetype": {"name": "Task"}, "summary": summary, **extra}


class HookReceiver(Emulator):
    """A plain HTTP endpoint recording webhook POSTs; `fail_next` makes it answer 500 first."""

    def __init__(self) -> None:
        super().__init__()
        self.received: list[Request] = []
        self.fail_next = 0
        self.router.add("POST", "/hooks/jira", self._receive)

    def _receive(self, request: Request) -> Response:
        with self.lock:
            if self.fail_next:
                self.fail_next -= 1
                return Response(500, {"error": "receiver down"})
            self.received.append(request)
        return Response(204)

    def stop(self) -> None:
        if self._server is not None:  # wake serve_forever's 0.5 s poll so teardown is quick
            threading.Timer(0.01, poke, (self.port,)).start()
        super().stop()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def emu(clock: ManualClock) -> Iterator[JiraEmulator]:
    emulator = JiraEmulator(clock=clock).start()
    yield emulator
    emulator.stop()


@pytest.fixture
def jira(emu: JiraEmulator) -> JIRA:
    return emu.client(timeout=2.0, max_retries=2)


@pytest.fixture
def receiver(emu: JiraEmulator) -> Iterator[HookReceiver]:
    hooks = HookReceiver()
    hooks.start()
    emu.configure_webhooks(hooks.url + "/hooks/jira", HOOK_SECRET)
    yield hooks
    hooks.stop()
