"""Acceptance 2 of "did the fix work?": verdicts on constructed weekly series.

Every series has 8 weeks before the first fix and 8 weeks after the last. The fixes ship on
Wednesday 2026-03-04 and Wednesday 2026-03-18: those weeks (and the one between them) are
neither before nor after.
"""

from __future__ import annotations

import random
from datetime import date

from tests import factories
from tests.metrics.factories import metric, shipped_moment, weekly
from tracker.metrics.models import Direction, Period
from tracker.metrics.verdicts import Verdict, compare, verdict_for_moment, windows
from tracker.people.models import Role

FIRST_FIX = date(2026, 3, 4)
LAST_FIX = date(2026, 3, 18)
BEFORE_FROM = date(2026, 1, 5)  # Monday, 8 weeks before the week of FIRST_FIX (2026-03-02)
AFTER_FROM = date(2026, 3, 23)  # Monday after the week of LAST_FIX
TODAY = date(2026, 6, 1)
BEFORE = [38, 41, 36, 40, 39, 42, 37, 40]


def _series(after: list[float], before: list[float] = BEFORE) -> list[float]:
    # before, then the three weeks around the fixes (ignored), then after
    return [*before, 90, 90, 90, *after]


def _judge(session, values: list[float], direction: Direction = Direction.lower_is_better):  # type: ignore[no-untyped-def]
    m = metric(session, direction=direction)
    weekly(session, m, BEFORE_FROM, values)
    moment = shipped_moment(session, m, FIRST_FIX, LAST_FIX)
    return verdict_for_moment(session, moment.id, today=TODAY)


def test_windows_leave_out_the_weeks_the_fixes_shipped_in() -> None:
    w = windows(Period.weekly, first_shipped=FIRST_FIX, last_shipped=LAST_FIX, window=8, today=TODAY)
    assert w.before[0] == BEFORE_FROM and w.before[-1] == date(2026, 2, 23) and len(w.before) == 8
    assert w.after[0] == AFTER_FROM and len(w.after) == 8
    # Only finished weeks count after the fix: on Thursday 2026-04-02 one week has ended.
    early = windows(Period.weekly, first_shipped=FIRST_FIX, last_shipped=LAST_FIX, window=8,
                    today=date(2026, 4, 2))
    assert early.after == [AFTER_FROM]


def test_a_clear_drop_is_improved_for_a_lower_is_better_metric(session) -> None:
    result = _judge(session, _series([15, 12, 14, 13, 16, 11, 14, 12]))
    (v,) = result.metrics
    assert result.loop_closed and not result.flagged
    assert (result.first_fix_shipped, result.last_fix_shipped) == (FIRST_FIX, LAST_FIX)
    assert v.verdict is Verdict.improved
    assert (v.before_periods, v.after_periods) == (8, 8)
    assert (v.before_median, v.after_median, v.change) == (39.5, 13.5, -26.0)
    assert round(v.change_percent or 0, 1) == -65.8
    assert v.p_value is not None and v.p_value < 0.001
    assert v.test == "Mann-Whitney U test, two-sided"
    assert "-65.8%" in v.reason and "better" in v.reason


def test_pure_noise_is_no_clear_change(session) -> None:
    rng = random.Random(11)
    noise = [round(rng.gauss(40, 3)) for _ in range(16)]
    result = _judge(session, _series(noise[8:], noise[:8]))
    (v,) = result.metrics
    assert v.verdict is Verdict.no_clear_change, v
    assert v.p_value is not None and v.p_value >= 0.05
    assert "within noise" in v.reason


def test_a_rise_is_worse_and_flags_the_closed_loop(client, session) -> None:
    result = _judge(session, _series([55, 58, 52, 60, 57, 54, 59, 56]))
    (v,) = result.metrics
    assert v.verdict is Verdict.worse and v.change == 17.0
    assert result.loop_closed and result.flagged
    # Leads find it in the flagged list; an improved moment is not there.
    _judge(session, _series([15, 12, 14, 13, 16, 11, 14, 12]))
    _, viewer = factories.user(session, Role.viewer)
    flagged = client.get("/metric-verdicts", params={"flagged": "true"}, headers=viewer).json()
    assert [m["moment_id"] for m in flagged["items"]] == [result.moment_id]
    assert flagged["items"][0]["metrics"][0]["verdict"] == "worse"


def test_a_rise_of_a_higher_is_better_metric_is_improved(session) -> None:
    csat_before = [3.1, 3.4, 3.0, 3.3, 3.2, 3.5, 3.1, 3.3]
    csat_after = [4.6, 4.5, 4.7, 4.4, 4.6, 4.8, 4.5, 4.6]
    result = _judge(session, _series(csat_after, csat_before), direction=Direction.higher_is_better)
    assert result.metrics[0].verdict is Verdict.improved and not result.flagged


def test_too_few_periods_is_not_enough_data(session) -> None:
    # Three weeks after the fix: a rank test of 8 against 3 cannot reach 0.05 reliably, and the
    # rule asks for four on each side.
    result = _judge(session, _series([15, 12, 14]))
    (v,) = result.metrics
    assert v.verdict is Verdict.not_enough_data and v.p_value is None
    assert (v.before_periods, v.after_periods) == (8, 3)
    assert "needs 4" in v.reason
    assert not result.flagged


def test_compare_on_its_own() -> None:
    assert compare([1, 2, 3], [9, 9, 9, 9], Direction.lower_is_better).verdict is Verdict.not_enough_data
    assert compare([9, 9, 9, 9], [1, 1, 1, 1], Direction.lower_is_better).verdict is Verdict.improved
    assert compare([5] * 8, [5] * 8, Direction.lower_is_better).verdict is Verdict.no_clear_change


def test_no_verdict_before_the_fixes_are_done(client, session) -> None:
    m = metric(session)
    weekly(session, m, BEFORE_FROM, _series([15, 12, 14, 13, 16, 11, 14, 12]))
    moment = shipped_moment(session, m, FIRST_FIX, LAST_FIX, open_items=1)
    _, viewer = factories.user(session, Role.viewer)
    got = client.get(f"/moments/{moment.id}/verdicts", headers=viewer)
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["loop_closed"] is False and body["flagged"] is False
    assert body["metrics"][0]["verdict"] == "not_enough_data"
    assert body["metrics"][0]["reason"] == "its fixes are not all done yet"


def test_the_window_is_configurable(client, session) -> None:
    m = metric(session)
    # 4 weeks on each side: only the last 4 before and first 4 after are compared
    weekly(session, m, BEFORE_FROM, _series([15, 12, 14, 13, 60, 60, 60, 60]))
    moment = shipped_moment(session, m, FIRST_FIX, LAST_FIX)
    _, viewer = factories.user(session, Role.viewer)
    body = client.get(f"/moments/{moment.id}/verdicts", params={"window": 4}, headers=viewer).json()
    v = body["metrics"][0]
    assert body["window"] == 4 and (v["before_periods"], v["after_periods"]) == (4, 4)
    assert v["before_start"] == "2026-02-02" and v["after_end"] == "2026-04-19"
    assert client.get(f"/moments/{moment.id}/verdicts", params={"window": 3},
                      headers=viewer).status_code == 422
