"""Repeated bad API tokens from one address are slowed, then refused with 429 and Retry-After;
a valid token from the same address still works, and each burst is logged once."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from tests import factories
from tracker.people.models import Role

BAD = {"Authorization": "Bearer trk_not-a-real-token"}


def test_a_burst_of_bad_tokens_meets_429_and_good_tokens_pass(client, session) -> None:
    _, good = factories.user(session, Role.viewer)
    statuses = [client.get("/people/me", headers=BAD).status_code for _ in range(30)]
    assert statuses[:10] == [401] * 10
    assert 429 in statuses[10:]
    refused = client.get("/people/me", headers=BAD)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["error"]["code"] == "too_many_attempts"
    assert client.get("/people/me", headers=good).status_code == 200


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2030, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_waits_double_then_lock_and_one_warning_per_burst(app, client, caplog) -> None:
    from tracker.auth.token_throttle import TokenThrottle

    clock = Clock()
    app.state.token_throttle = TokenThrottle(clock=clock)
    caplog.set_level(logging.WARNING, logger="tracker.auth.token_throttle")
    for _ in range(10):
        assert client.get("/people/me", headers=BAD).status_code == 401
    waits = []
    for _ in range(5):
        early = client.get("/people/me", headers=BAD)
        assert early.status_code == 429
        waits.append(int(early.headers["Retry-After"]))
        clock.now += timedelta(seconds=waits[-1])
        assert client.get("/people/me", headers=BAD).status_code == 401  # waited: counted again
    assert waits == [1, 2, 4, 8, 16]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "testclient" in warnings[0].getMessage()
    for _ in range(35):  # a patient attacker reaches the lock: a quarter of an hour
        clock.now += timedelta(minutes=1)
        client.get("/people/me", headers=BAD)
    locked = client.get("/people/me", headers=BAD)
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 600
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1
    # Quiet for an hour past the lock: the count starts again, and a new burst warns again.
    clock.now += timedelta(hours=2)
    for _ in range(10):
        assert client.get("/people/me", headers=BAD).status_code == 401
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 2


def test_missing_tokens_are_not_counted(client) -> None:
    assert all(client.get("/people/me").status_code == 401 for _ in range(30))
