"""Did the fix work? Pure functions comparing a metric before the first fix and after the last.

The rule (README, "Did the fix work?"):
- The *before* window is the `window` periods (default 8) that end just before the period in
  which the moment's first fix shipped; the *after* window is the `window` periods that start
  just after the period in which its last fix shipped. The periods holding a ship date are left
  out: they are part before, part after. Only finished periods count (the current one is still
  being measured).
- Each side needs at least `MIN_PERIODS` observations (4): with fewer, the test below can never
  reach significance at 0.05 (3 against 3 gives p = 0.1 at best), so the verdict would only ever
  say "no clear change" when the truth is "too early to say".
- The sides are compared with the Mann-Whitney U test, two-sided (scipy.stats.mannwhitneyu): it
  asks whether values after tend to be lower or higher than before, without assuming they are
  normally distributed (weekly counts rarely are). p < alpha (0.05) is a real change; whether it
  is an improvement follows the metric's direction.
- The change is reported as the median after minus the median before, in the metric's unit, and
  in percent of the median before (none when that median is 0).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from statistics import median

from scipy.stats import mannwhitneyu
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.errors import NotFound
from tracker.metrics.models import Direction, MomentMetric, Period, SuccessMetric
from tracker.metrics.observations import series
from tracker.metrics.periods import next_start, period_end, period_start
from tracker.metrics.shipped import ship_dates
from tracker.moments.models import MomentOfTruth
from tracker.moments.status import MomentStatus, statuses_for
from tracker.types import utcnow

DEFAULT_WINDOW = 8
MAX_WINDOW = 104
MIN_PERIODS = 4
ALPHA = 0.05
TEST_NAME = "Mann-Whitney U test, two-sided"


class Verdict(StrEnum):
    improved = "improved"
    no_clear_change = "no_clear_change"
    worse = "worse"
    not_enough_data = "not_enough_data"


@dataclass(frozen=True)
class Comparison:
    verdict: Verdict
    before_periods: int
    after_periods: int
    before_median: float | None
    after_median: float | None
    change: float | None  # after - before, in the metric's unit
    change_percent: float | None
    p_value: float | None  # None when the test was not run (not enough data)


@dataclass(frozen=True)
class Windows:
    """The period starts on each side; `after` holds only periods finished by `today`."""

    before: list[date]
    after: list[date]


def windows(period: Period, *, first_shipped: date, last_shipped: date, window: int,
            today: date) -> Windows:
    before: list[date] = []
    start = period_start(period, first_shipped)
    for _ in range(window):
        start = period_start(period, start - timedelta(days=1))
        before.append(start)
    after: list[date] = []
    start = next_start(period, period_start(period, last_shipped))
    while len(after) < window and period_end(period, start) < today:
        after.append(start)
        start = next_start(period, start)
    return Windows(before=sorted(before), after=after)


def compare(before: Sequence[float], after: Sequence[float], direction: Direction, *,
            alpha: float = ALPHA, min_periods: int = MIN_PERIODS) -> Comparison:
    """The verdict for two samples of one metric (one value per period on each side)."""
    b_med = median(before) if before else None
    a_med = median(after) if after else None
    change = a_med - b_med if a_med is not None and b_med is not None else None
    percent = change / abs(b_med) * 100 if change is not None and b_med else None

    def result(verdict: Verdict, p: float | None) -> Comparison:
        return Comparison(verdict=verdict, before_periods=len(before), after_periods=len(after),
                          before_median=b_med, after_median=a_med, change=change,
                          change_percent=percent, p_value=p)

    if len(before) < min_periods or len(after) < min_periods:
        return result(Verdict.not_enough_data, None)
    test = mannwhitneyu(list(before), list(after), alternative="two-sided")
    p = float(test.pvalue)
    if math.isnan(p):  # every value on both sides the same: nothing moved
        return result(Verdict.no_clear_change, 1.0)
    if p >= alpha:
        return result(Verdict.no_clear_change, p)
    # U counts the (before, after) pairs where before is the larger: above half, values fell.
    fell = float(test.statistic) > len(before) * len(after) / 2
    better = fell if direction is Direction.lower_is_better else not fell
    return result(Verdict.improved if better else Verdict.worse, p)


@dataclass(frozen=True)
class MetricFacts:
    id: int
    name: str
    unit: str
    direction: Direction
    period: Period


@dataclass(frozen=True)
class MetricVerdict:
    metric_id: int
    name: str
    unit: str
    direction: Direction
    period: Period
    verdict: Verdict
    reason: str
    before_start: date | None
    before_end: date | None
    after_start: date | None
    after_end: date | None
    before_periods: int
    after_periods: int
    before_median: float | None
    after_median: float | None
    change: float | None
    change_percent: float | None
    p_value: float | None
    test: str = TEST_NAME


@dataclass(frozen=True)
class MomentFacts:
    id: int
    title: str
    loop_closed: bool
    first_shipped: date | None
    last_shipped: date | None


@dataclass(frozen=True)
class MomentVerdicts:
    moment_id: int
    title: str
    loop_closed: bool
    first_fix_shipped: date | None
    last_fix_shipped: date | None
    window: int
    flagged: bool
    metrics: list[MetricVerdict]


def _amount(value: float | None, unit: str) -> str:
    text = "–" if value is None else f"{value:g}"
    return f"{text} {unit}".strip()


def _reason(c: Comparison, metric: MetricFacts, min_periods: int) -> str:
    if c.verdict is Verdict.not_enough_data:
        return (f"needs {min_periods} measured periods on each side; before has "
                f"{c.before_periods}, after has {c.after_periods}")
    moved = (f"median {_amount(c.before_median, metric.unit)} before, "
             f"{_amount(c.after_median, metric.unit)} after")
    if c.change_percent is not None:
        moved += f" ({c.change_percent:+.1f}%)"
    p = f"p = {c.p_value:.3g}"
    if c.verdict is Verdict.no_clear_change:
        return f"{moved}; {p}: within noise"
    return f"{moved}; {p}: {'better' if c.verdict is Verdict.improved else 'worse'}"


def judge_metric(metric: MetricFacts, values: dict[date, float], moment: MomentFacts, *,
                 window: int, today: date, min_periods: int = MIN_PERIODS) -> MetricVerdict:
    """One metric's verdict for one moment (pure: the observations are handed in)."""
    def verdict(c: Comparison, reason: str, w: Windows | None) -> MetricVerdict:
        return MetricVerdict(
            metric_id=metric.id, name=metric.name, unit=metric.unit, direction=metric.direction,
            period=metric.period, verdict=c.verdict, reason=reason,
            before_start=w.before[0] if w and w.before else None,
            before_end=period_end(metric.period, w.before[-1]) if w and w.before else None,
            after_start=w.after[0] if w and w.after else None,
            after_end=period_end(metric.period, w.after[-1]) if w and w.after else None,
            before_periods=c.before_periods, after_periods=c.after_periods,
            before_median=c.before_median, after_median=c.after_median, change=c.change,
            change_percent=c.change_percent, p_value=c.p_value,
        )

    empty = Comparison(Verdict.not_enough_data, 0, 0, None, None, None, None, None)
    if not moment.loop_closed:
        return verdict(empty, "its fixes are not all done yet", None)
    if moment.first_shipped is None or moment.last_shipped is None:
        return verdict(empty, "none of its done action items records when it was completed", None)
    w = windows(metric.period, first_shipped=moment.first_shipped,
                last_shipped=moment.last_shipped, window=window, today=today)
    before = [values[s] for s in w.before if s in values]
    after = [values[s] for s in w.after if s in values]
    c = compare(before, after, metric.direction, min_periods=min_periods)
    return verdict(c, _reason(c, metric, min_periods), w)


def judge_moment(moment: MomentFacts, metrics: list[tuple[MetricFacts, dict[date, float]]], *,
                 window: int, today: date) -> MomentVerdicts:
    judged = [judge_metric(m, values, moment, window=window, today=today) for m, values in metrics]
    return MomentVerdicts(
        moment_id=moment.id, title=moment.title, loop_closed=moment.loop_closed,
        first_fix_shipped=moment.first_shipped, last_fix_shipped=moment.last_shipped,
        window=window, metrics=judged,
        # A loop the programme calls closed while its own measure says it got worse.
        flagged=moment.loop_closed and any(v.verdict is Verdict.worse for v in judged),
    )


def verdicts_for_moments(session: Session, moment_ids: list[int], *, today: date | None = None,
                         window: int = DEFAULT_WINDOW) -> dict[int, MomentVerdicts]:
    """Every given moment's verdicts, reading the data in five queries however many there are."""
    ids = sorted(set(moment_ids))
    if not ids:
        return {}
    today = today or utcnow().date()
    titles: dict[int, str] = {moment_id: title for moment_id, title in session.execute(
        select(MomentOfTruth.id, MomentOfTruth.title).where(MomentOfTruth.id.in_(ids)))}
    status = statuses_for(session, titles)
    shipped = ship_dates(session, list(titles))
    linked: dict[int, list[MetricFacts]] = {m: [] for m in titles}
    for moment_id, metric in session.execute(
        select(MomentMetric.moment_id, SuccessMetric)
        .join(SuccessMetric, SuccessMetric.id == MomentMetric.metric_id)
        .where(MomentMetric.moment_id.in_(list(titles))).order_by(SuccessMetric.id)
    ):
        linked[moment_id].append(MetricFacts(metric.id, metric.name, metric.unit,
                                             metric.direction, metric.period))
    metric_ids = sorted({m.id for facts in linked.values() for m in facts})
    # One window of monthly periods reaches back at most 31 days a period; weeks, 7.
    span = timedelta(days=31 * (window + 1))
    firsts = [first for first, _ in shipped.values()]
    lasts = [last for _, last in shipped.values()]
    values = series(session, metric_ids, since=min(firsts) - span, until=max(lasts) + span) \
        if shipped else {m: {} for m in metric_ids}
    result: dict[int, MomentVerdicts] = {}
    for moment_id, title in titles.items():
        first, last = shipped.get(moment_id, (None, None))
        moment = MomentFacts(moment_id, title, status[moment_id] is MomentStatus.loop_closed, first, last)
        result[moment_id] = judge_moment(
            moment, [(m, values.get(m.id, {})) for m in linked[moment_id]], window=window, today=today)
    return result


def verdict_for_moment(session: Session, moment_id: int, *, today: date | None = None,
                       window: int = DEFAULT_WINDOW) -> MomentVerdicts:
    found = verdicts_for_moments(session, [moment_id], today=today, window=window)
    if moment_id not in found:
        raise NotFound("moment", moment_id)
    return found[moment_id]
