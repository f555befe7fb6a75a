"""The moment page's "Did the fix work?": each metric the moment names, its verdict in words,
its history as a chart with the verdict's windows and the ship dates, and the figures behind it.

Verdicts come from tracker/metrics/verdicts.py (the rule is documented there and in the
README); this module only reads the values to draw and puts words to the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup
from sqlalchemy.orm import Session

from tracker.metrics.models import Direction, Period
from tracker.metrics.observations import series
from tracker.metrics.periods import label, period_end, period_start
from tracker.metrics.verdicts import MetricVerdict, MomentVerdicts, Verdict, verdict_for_moment
from tracker.metrics.words import VERDICT_WORDS, change_words, evidence_words
from tracker.web.charts.metric_history import Band, MetricPoint, metric_history_chart

# How much history to draw around the verdict's windows (and without a fix yet, how far back).
MARGIN_PERIODS = 4
DEFAULT_PERIODS = 26


@dataclass(frozen=True)
class Row:
    """One line of the figures table."""

    period: str
    start: date
    end: date
    value: float
    window: str  # "before", "after" or ""


@dataclass(frozen=True)
class MetricPanel:
    verdict: MetricVerdict
    words: str  # "improved", "no clear change", ...
    change: str  # "median 38 → 27 tickets (−11 tickets, −28.9%)" or ""
    evidence: str  # the named test and p-value, or why there is no verdict yet
    chart: Markup
    rows: list[Row]

    @property
    def direction(self) -> str:
        return "lower is better" if self.verdict.direction is Direction.lower_is_better else "higher is better"


@dataclass(frozen=True)
class FixCheck:
    verdicts: MomentVerdicts
    panels: list[MetricPanel]

    @property
    def worse(self) -> list[MetricVerdict]:
        return [v for v in self.verdicts.metrics if v.verdict is Verdict.worse]


def _span(v: MomentVerdicts, m: MetricVerdict, today: date) -> tuple[date, date]:
    """From a few periods before the before-window (or the first fix) to the end of the
    after-window or today, whichever the history needs."""
    anchor = m.before_start or v.first_fix_shipped or today - timedelta(weeks=DEFAULT_PERIODS)
    since = period_start(m.period, anchor)
    for _ in range(MARGIN_PERIODS if (m.before_start or v.first_fix_shipped) else 0):
        since = period_start(m.period, since - timedelta(days=1))
    return since, today


def _window_of(start: date, m: MetricVerdict) -> str:
    if m.before_start and m.before_end and m.before_start <= start <= m.before_end:
        return "before"
    if m.after_start and m.after_end and m.after_start <= start <= m.after_end:
        return "after"
    return ""


def _band(start: date | None, end: date | None, median: float | None) -> Band | None:
    return Band(start, end, median) if start is not None and end is not None else None


def fix_check(session: Session, *, moment_id: int, today: date) -> FixCheck:
    verdicts = verdict_for_moment(session, moment_id, today=today)
    spans = {m.metric_id: _span(verdicts, m, today) for m in verdicts.metrics}
    values = series(session, list(spans), since=min((s for s, _ in spans.values()), default=today),
                    until=today) if spans else {}
    panels: list[MetricPanel] = []
    for m in verdicts.metrics:
        since, _ = spans[m.metric_id]
        # Only finished periods: the current one is still being measured.
        measured = sorted((s, val) for s, val in values.get(m.metric_id, {}).items()
                          if s >= since and period_end(m.period, s) < today)
        points = [MetricPoint(start=s, end=period_end(m.period, s), label=label(m.period, s), value=val)
                  for s, val in measured]
        chart = metric_history_chart(
            points, name=m.name, unit=m.unit,
            before=_band(m.before_start, m.before_end, m.before_median),
            after=_band(m.after_start, m.after_end, m.after_median),
            first_shipped=verdicts.first_fix_shipped, last_shipped=verdicts.last_fix_shipped)
        rows = [Row(p.label, p.start, p.end, p.value, _window_of(p.start, m)) for p in points]
        panels.append(MetricPanel(verdict=m, words=VERDICT_WORDS[m.verdict], change=change_words(m),
                                  evidence=evidence_words(m), chart=chart, rows=rows))
    return FixCheck(verdicts=verdicts, panels=panels)


def periods_label(period: Period) -> str:
    return "weeks" if period is Period.weekly else "months"

