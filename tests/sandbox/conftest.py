"""`make run` in a test: the demo programme, the app behind a loopback relay, and the sandbox
(emulated Jira, GitHub and Slack plus its worker) pointed at it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from integrations.sandbox import Sandbox
from tests.slack.conftest import Relay
from tracker.app import create_app
from tracker.config import Settings
from tracker.db import make_engine, make_session_factory, transaction
from tracker.demo.loader import load_demo
from tracker.migrations import upgrade


@dataclass
class Running:
    settings: Settings
    sandbox: Sandbox
    client: TestClient
    factory: sessionmaker[Session]
    tokens: dict[str, str]  # role -> API token, as in .tracker-demo-tokens


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Running]:
    url = f"sqlite:///{tmp_path / 'sandbox.db'}"
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        logins = load_demo(session)
    tokens = {login.role: login.token for login in logins}
    settings = Settings(database_url=url, base_url="http://tracker.test", outbox_backoff_scale=0.01)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        relay = Relay(client)
        sandbox = Sandbox(settings, api_base=relay.url)
        sandbox.start()
        try:
            yield Running(settings, sandbox, client, factory, tokens)
        finally:
            sandbox.stop()
            relay.close()
            engine.dispose()


def wait_for(check: Callable[[], object], seconds: float = 15.0) -> object:
    deadline = time.monotonic() + seconds
    while not (found := check()):
        assert time.monotonic() < deadline, "the sandbox did not get there in time"
        time.sleep(0.05)
    return found
