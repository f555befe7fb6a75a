"""`make run` without a Slack app: the emulator stands in, and a newcomer can click through
nudge -> Mark <next phase> -> the item moves and the message updates."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from integrations.sandbox import Sandbox
from integrations.slack.workspace import Message
from tests.slack.conftest import Relay
from tracker.actions.models import OPEN_PHASES, ActionItem
from tracker.app import create_app
from tracker.config import Settings
from tracker.db import make_engine, make_session_factory, transaction
from tracker.demo.loader import load_demo
from tracker.migrations import upgrade
from tracker.nudges.models import Nudge, NudgeKind, NudgeState
from tracker.outbox.service import enqueue
from tracker.people.models import Person


@pytest.fixture
def sandbox_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'sandbox.db'}"
    upgrade(url)
    engine = make_engine(url)
    with transaction(make_session_factory(engine)) as session:
        load_demo(session)
    engine.dispose()
    return url


@pytest.fixture
def started(sandbox_db: str) -> Iterator[tuple[Settings, Sandbox, Relay]]:
    settings = Settings(database_url=sandbox_db, base_url="http://tracker.test", outbox_backoff_scale=0.01)
    app = create_app(settings)  # the sandbox fills settings.slack in before the first request
    with TestClient(app, raise_server_exceptions=False) as client:
        relay = Relay(client)
        sandbox = Sandbox(settings, api_base=relay.url)
        lines = sandbox.start()
        assert any(line.startswith("Sandbox Slack:") and line.rstrip().split()[2].endswith("/sandbox")
                   for line in lines), lines
        try:
            yield settings, sandbox, relay
        finally:
            sandbox.stop()
            relay.close()


def _wait(check, seconds: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the sandbox worker did not get there in time"
        time.sleep(0.05)


def test_sandbox_emulates_slack_for_the_demo_and_a_click_moves_the_item(
    started: tuple[Settings, Sandbox, Relay]
) -> None:
    settings, sandbox, relay = started
    slack = sandbox.slack
    assert slack is not None and settings.slack is not None
    assert settings.slack.base_url == slack.url + "/api/"
    assert slack.interactivity_url == relay.url + "/slack/interactivity"
    assert slack.slash_command_url == relay.url + "/slack/commands"
    assert slack.workspace.users["U0DEMOLEAD"].email == "maya.okafor@example.com"
    assert slack.conversation("#billing-ops").bot_member

    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    item_id, phase, slack_id = _queue_a_nudge(factory)

    def ours() -> list[Message]:  # the sandbox's own sweep may nudge this person about other items
        return [m for m in slack.messages_for_user(slack_id) if f"nudge:{item_id}:" in str(m.blocks)]

    _wait(ours)
    message = ours()[-1]
    delivery = slack.click(message.channel, message.ts, "advance", user_id=slack_id)
    assert delivery.ok, delivery

    def moved() -> bool:  # acknowledged at once; the sandbox's worker applies it
        with transaction(factory) as session:
            item = session.get(ActionItem, item_id)
            return item is not None and item.phase != phase

    _wait(moved)
    _wait(lambda: bool(slack.message(message.channel, message.ts).edits))  # type: ignore[union-attr]
    assert "Marked" in str(slack.message(message.channel, message.ts).blocks)  # type: ignore[union-attr]
    engine.dispose()


def _queue_a_nudge(factory: sessionmaker[Session]) -> tuple[int, str, str]:
    """As the sweep would; retried while the sandbox worker's start-up backfill holds SQLite's lock."""
    for attempt in range(40):
        try:
            return _insert_nudge(factory)
        except OperationalError:
            if attempt == 39:
                raise
            time.sleep(0.25)
    raise AssertionError("unreachable")


def _insert_nudge(factory: sessionmaker[Session]) -> tuple[int, str, str]:
    with transaction(factory) as session:
        item = session.scalars(select(ActionItem).where(ActionItem.phase.in_(OPEN_PHASES))
                               .order_by(ActionItem.id)).first()
        assert item is not None
        owner = session.get(Person, item.owner_id)
        assert owner is not None and owner.slack_user_id
        item_id, phase, slack_id = item.id, item.phase, owner.slack_user_id
        nudge = Nudge(action_item_id=item.id, kind=NudgeKind.overdue, slot=f"test-{datetime.now(UTC)}",
                      recipient_id=owner.id, state=NudgeState.pending)
        session.add(nudge)
        session.flush()
        enqueue(session, kind="slack.nudge", payload={"nudge_id": nudge.id})
        return item_id, phase, slack_id
