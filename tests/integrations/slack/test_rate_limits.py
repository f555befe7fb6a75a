"""Slack's rate limits: 429 + Retry-After + `ratelimited`, and recovery with slack-sdk's handler."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from integrations.emulation import Fault, FaultPlan
from integrations.slack.emulator import SlackEmulator

from .conftest import TOKEN, Team


class FrozenClock:
    """Stands still until told, so limits are checked without racing the wall clock."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_per_channel_limit_allows_a_burst_then_429s(
    emulator: SlackEmulator, team: Team, client: WebClient
) -> None:
    clock = emulator.limiter.clock = FrozenClock()
    for i in range(emulator.limiter.channel_burst):
        client.chat_postMessage(channel=team.cx.id, text=f"burst {i}")
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel=team.cx.id, text="one too many")
    response = raised.value.response
    assert response.status_code == 429
    assert response["error"] == "ratelimited"
    assert int(response.headers["Retry-After"]) >= 0  # whole seconds; ~0 at time_scale=0.01

    client.chat_postMessage(channel=team.ben.id, text="another conversation is not limited")
    assert emulator.rate_limit_counts["chat.postMessage"] == 1
    assert emulator.rate_limit_counts[f"chat.postMessage:{team.cx.id}"] == 1
    assert [v.channel for v in emulator.rate_limit_violations] == [team.cx.id]
    assert len(emulator.messages_in_channel(team.cx.id)) == emulator.limiter.channel_burst

    clock.now += 1.0 * emulator.limiter.time_scale  # one (scaled) second later it takes one more
    client.chat_postMessage(channel=team.cx.id, text="after waiting")
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel=team.cx.id, text="but not two")
    clock.now += 10.0  # a long pause refills the burst, no further
    for i in range(emulator.limiter.channel_burst):
        client.chat_postMessage(channel=team.cx.id, text=f"second burst {i}")
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel=team.cx.id, text="over again")
    assert emulator.rate_limit_counts[f"chat.postMessage:{team.cx.id}"] == 3


def test_real_speed_retry_after_is_whole_seconds(team: Team) -> None:
    with SlackEmulator(bot_token=TOKEN, channel_burst=1) as emu:
        channel = emu.add_channel("pace")
        client = WebClient(TOKEN, base_url=emu.url + "/api/", retry_handlers=[])
        client.chat_postMessage(channel=channel.id, text="first")
        with pytest.raises(SlackApiError) as raised:
            client.chat_postMessage(channel=channel.id, text="second")
        assert raised.value.response.headers["Retry-After"] == "1"


def test_method_tier_limit(emulator: SlackEmulator, team: Team, client: WebClient) -> None:
    emulator.limiter.clock = FrozenClock()
    for _ in range(50):  # users.lookupByEmail is Tier 3: 50 a minute
        client.users_lookupByEmail(email="ana@example.com")
    with pytest.raises(SlackApiError) as raised:
        client.users_lookupByEmail(email="ana@example.com")
    assert raised.value.response.status_code == 429
    assert emulator.rate_limit_counts["users.lookupByEmail"] == 1
    client.users_info(user=team.ana.id)  # other methods have their own budget


def test_rate_limit_handler_recovers_from_injected_429(emulator: SlackEmulator, team: Team) -> None:
    emulator.faults = FaultPlan(queued=[Fault.RATE_LIMITED, Fault.RATE_LIMITED])
    client = WebClient(
        TOKEN,
        base_url=emulator.url + "/api/",
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)],
    )
    posted = client.chat_postMessage(channel=team.cx.id, text="eventually")
    assert posted["ok"]
    assert [f for f, _, _ in emulator.faults.injected] == [Fault.RATE_LIMITED, Fault.RATE_LIMITED]
    assert [m.text for m in emulator.messages_in_channel(team.cx.id)] == ["eventually"]


def test_rate_limit_handler_recovers_from_channel_pacing(emulator: SlackEmulator, team: Team) -> None:
    # Time moves on only while the client waits out a 429: deterministic on a busy machine.
    limiter = emulator.limiter
    limiter.clock = lambda: 1000.0 + len(limiter.violations) * limiter.time_scale
    client = WebClient(
        TOKEN,
        base_url=emulator.url + "/api/",
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=3)],
    )
    for i in range(emulator.limiter.channel_burst + 1):
        client.chat_postMessage(channel=team.cx.id, text=f"nudge {i}")
    assert len(emulator.messages_in_channel(team.cx.id)) == emulator.limiter.channel_burst + 1
    assert emulator.rate_limit_counts["chat.postMessage"] == 1


def test_limits_can_be_switched_off(team: Team) -> None:
    with SlackEmulator(bot_token=TOKEN, rate_limits=False) as emu:
        channel = emu.add_channel("bench")
        client = WebClient(TOKEN, base_url=emu.url + "/api/", retry_handlers=[])
        for i in range(20):
            client.chat_postMessage(channel=channel.id, text=str(i))
        assert not emu.rate_limit_violations
