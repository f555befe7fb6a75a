from __future__ import annotations

from integrations.github.pacing import WritePacer


class FakeTime:
    """A clock that only moves when the pacer sleeps (or a request takes time)."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def test_writes_start_one_interval_apart_whatever_the_request_takes() -> None:
    t = FakeTime()
    pacer = WritePacer(0.75, clock=t.clock, sleep=t.sleep)
    starts = []
    for request_duration in (0.2, 0.5, 0.0, 1.0):
        pacer.wait()
        starts.append(t.now)
        t.now += request_duration  # the request itself
    pacer.wait()
    starts.append(t.now)
    # Start to start, one interval: a request's own time counts towards the gap...
    assert [round(b - a, 6) for a, b in zip(starts, starts[1:], strict=False)] == [0.75, 0.75, 0.75, 1.0]
    # ...so the pacer sleeps only what is left of it, and not at all after a slow request.
    assert t.slept == [0.55, 0.25, 0.75]


def test_zero_interval_never_waits() -> None:
    t = FakeTime()
    pacer = WritePacer(0, clock=t.clock, sleep=t.sleep)
    for _ in range(3):
        pacer.wait()
    assert t.slept == []
