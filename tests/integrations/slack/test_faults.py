"""Injected faults surface the way production code will meet them through slack-sdk."""

from __future__ import annotations

import urllib.error
from http.client import RemoteDisconnected

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from integrations.emulation import Fault, FaultPlan
from integrations.slack.emulator import SlackEmulator

from .conftest import TOKEN, Team


def test_server_error_raises_slack_api_error_with_status(
    emulator: SlackEmulator, team: Team, client: WebClient
) -> None:
    emulator.faults = FaultPlan(queued=[Fault.SERVER_ERROR])
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel=team.cx.id, text="x")
    assert raised.value.response.status_code == 503
    assert emulator.messages_in_channel(team.cx.id) == []


def test_dropped_connection_raises_urllib_error(
    emulator: SlackEmulator, team: Team, client: WebClient
) -> None:
    emulator.faults = FaultPlan(queued=[Fault.DROP])
    with pytest.raises((urllib.error.URLError, RemoteDisconnected, ConnectionError)):
        client.chat_postMessage(channel=team.cx.id, text="x")
    assert emulator.messages_in_channel(team.cx.id) == []


def test_default_client_retries_a_drop_and_duplicates_a_write(emulator: SlackEmulator, team: Team) -> None:
    # WebClient's default ConnectionErrorRetryHandler resends once: harmless before the write,
    # a duplicate message after it. chat.postMessage has no idempotency key.
    assert [type(h) for h in WebClient(TOKEN).retry_handlers] == [ConnectionErrorRetryHandler]
    fast_default = ConnectionErrorRetryHandler(
        max_retry_count=1, interval_calculator=FixedValueRetryIntervalCalculator(0.01)
    )
    client = WebClient(TOKEN, base_url=emulator.url + "/api/", retry_handlers=[fast_default])
    emulator.faults = FaultPlan(queued=[Fault.DROP])
    client.chat_postMessage(channel=team.cx.id, text="once")
    emulator.faults = FaultPlan(queued=[Fault.DROP_AFTER_WRITE])
    client.chat_postMessage(channel=team.cx.id, text="twice")
    assert [m.text for m in emulator.messages_in_channel(team.cx.id)] == ["once", "twice", "twice"]


def test_timeout_after_the_message_was_posted(emulator: SlackEmulator, team: Team) -> None:
    emulator.faults = FaultPlan(queued=[Fault.TIMEOUT_AFTER_WRITE], timeout_seconds=0.6)
    client = WebClient(TOKEN, base_url=emulator.url + "/api/", retry_handlers=[], timeout=0.3)  # type: ignore[arg-type]
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        client.chat_postMessage(channel=team.cx.id, text="did it land?")
    # The outcome is unknown to the client, but the message is there: look before re-posting.
    assert [m.text for m in emulator.messages_in_channel(team.cx.id)] == ["did it land?"]


def test_faults_can_target_one_method(emulator: SlackEmulator, team: Team, client: WebClient) -> None:
    emulator.faults = FaultPlan(rate=1.0, kinds=(Fault.SERVER_ERROR,), path_pattern=r"chat\.update$")
    posted = client.chat_postMessage(channel=team.cx.id, text="x")
    with pytest.raises(SlackApiError):
        client.chat_update(channel=team.cx.id, ts=posted["ts"], text="y")
