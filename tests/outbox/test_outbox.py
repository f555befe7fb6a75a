from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tracker.outbox import service as outbox
from tracker.outbox.models import OutboxMessage, OutboxState

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


def _claim(session, worker="w1", now=NOW, limit=10):  # type: ignore[no-untyped-def]
    return outbox.claim(session, worker_id=worker, now=now, limit=limit, lease=LEASE)


def _msg(session, key="item:1", kind="ticket.sync", at=NOW - timedelta(seconds=1), coalesce=False):  # type: ignore[no-untyped-def]
    return outbox.enqueue(session, kind=kind, payload={"k": key}, ordering_key=key, coalesce=coalesce,
                          available_at=at)


def test_coalescing_adds_nothing_while_an_unclaimed_message_waits(session) -> None:
    first = _msg(session, coalesce=True)
    assert _msg(session, coalesce=True) is None
    assert _msg(session, key="item:2", coalesce=True) is not None
    [claimed] = [m for m in _claim(session) if m.id == first.id]
    # Once claimed, a new change needs its own message: the running one may have read old state.
    assert _msg(session, coalesce=True) is not None
    assert claimed.lease_owner == "w1"


def test_coalescing_with_merge_folds_the_payload_into_the_waiting_message(session) -> None:
    def add(name: str):  # type: ignore[no-untyped-def]
        return lambda waiting: {**waiting, "names": [*waiting["names"], name]}

    def send(name: str) -> OutboxMessage | None:
        return outbox.enqueue(session, kind="ticket.pull", payload={"names": [name]}, ordering_key="item:1",
                              coalesce=True, merge=add(name), available_at=NOW - timedelta(seconds=1))

    first = send("ana")
    assert send("ben") is None and send("cy") is None
    session.expire_all()
    assert session.get(OutboxMessage, first.id).payload == {"names": ["ana", "ben", "cy"]}
    [claimed] = _claim(session)
    # Claimed: its handler may already be running with the payload it read, so a later one gets
    # a message of its own instead of a change nobody would read.
    later = send("dan")
    assert later is not None and later.payload == {"names": ["dan"]}
    session.expire_all()
    assert session.get(OutboxMessage, claimed.id).payload == {"names": ["ana", "ben", "cy"]}


def test_one_message_per_ordering_key_at_a_time_oldest_first(session) -> None:
    a1, a2, b1 = _msg(session, "item:1"), _msg(session, "item:1"), _msg(session, "item:2")
    claimed = _claim(session)
    assert {m.id for m in claimed} == {a1.id, b1.id}
    assert _claim(session, worker="w2") == []  # a2 waits for a1; a1 and b1 are leased
    outbox.complete(session, message_id=a1.id, worker_id="w1", now=NOW)
    assert [m.id for m in _claim(session, worker="w2")] == [a2.id]


def test_future_messages_wait(session) -> None:
    later = _msg(session, at=NOW + timedelta(minutes=1))
    assert _claim(session) == []
    assert [m.id for m in _claim(session, now=NOW + timedelta(minutes=2))] == [later.id]


def test_expired_lease_is_taken_over_and_the_old_owner_cannot_settle(session) -> None:
    message = _msg(session)
    _claim(session, worker="dead-worker")
    assert _claim(session, worker="w2", now=NOW + timedelta(minutes=1)) == []
    [taken] = _claim(session, worker="w2", now=NOW + LEASE + timedelta(seconds=1))
    assert taken.id == message.id and taken.attempts == 2
    assert not outbox.complete(session, message_id=message.id, worker_id="dead-worker", now=NOW)
    assert outbox.complete(session, message_id=message.id, worker_id="w2", now=NOW)
    session.expire_all()
    assert session.get(OutboxMessage, message.id).state is OutboxState.done


def test_retry_waits_at_least_retry_after_and_dies_after_max_attempts(session) -> None:
    message = _msg(session)
    [claimed] = _claim(session)
    assert outbox.retry_later(session, message=claimed, worker_id="w1", now=NOW, error="503",
                              retry_after=120, max_attempts=3)
    session.expire_all()
    stored = session.get(OutboxMessage, message.id)
    assert stored.available_at >= NOW + timedelta(seconds=120)
    assert stored.lease_owner is None and stored.last_error == "503"
    for attempt in range(2):
        [again] = _claim(session, now=stored.available_at + timedelta(hours=attempt + 1))
        kept = outbox.retry_later(session, message=again, worker_id="w1", now=NOW, error="503",
                                  retry_after=None, max_attempts=3)
        session.expire_all()
        stored = session.get(OutboxMessage, message.id)
    assert kept is False
    assert stored.state is OutboxState.dead and "gave up after 3 attempts" in stored.last_error


def test_backoff_grows_and_is_capped() -> None:
    import random

    rng = random.Random(1)
    waits = [outbox.backoff(n, None, rng) for n in range(1, 15)]
    assert waits[0] <= 2 and waits[5] > waits[0]
    assert max(waits) <= outbox.MAX_BACKOFF_SECONDS
