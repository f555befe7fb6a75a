"""The journey map page's success metrics: each with its latest value, and the verdicts of the
moments that name it (tracker/metrics/verdicts.py), in a compact list.

Reads a fixed number of queries however many metrics and moments the map has: the metrics, the
latest value of each, the links, and the verdicts (five queries of their own).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.metrics.models import Observation, SuccessMetric
from tracker.metrics.periods import label
from tracker.metrics.service import moment_ids_by_metric
from tracker.metrics.verdicts import Verdict, verdicts_for_moments
from tracker.metrics.words import VERDICT_WORDS, amount, change_words


@dataclass(frozen=True)
class MomentVerdictLine:
    moment_id: int
    title: str
    verdict: Verdict
    words: str
    change: str
    flagged: bool


@dataclass(frozen=True)
class MapMetric:
    id: int
    name: str
    latest: str | None  # "24 contacts per 1,000 invoices"
    latest_period: str | None  # "2026-W47"
    moments: list[MomentVerdictLine]


@dataclass(frozen=True)
class MapMetrics:
    """The list, with the map it belongs to (the section links to the map's metrics page)."""

    map_id: int
    items: list[MapMetric]

    def __iter__(self) -> Iterator[MapMetric]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def map_metrics(session: Session, *, map_id: int, today: date) -> MapMetrics:
    return MapMetrics(map_id, _map_metrics(session, map_id=map_id, today=today))


def _map_metrics(session: Session, *, map_id: int, today: date) -> list[MapMetric]:
    metrics = list(session.scalars(select(SuccessMetric).where(SuccessMetric.journey_map_id == map_id)
                                   .order_by(SuccessMetric.id)))
    ids = [m.id for m in metrics]
    if not ids:
        return []
    newest = (select(Observation.metric_id, func.max(Observation.period_start).label("start"))
              .where(Observation.metric_id.in_(ids)).group_by(Observation.metric_id).subquery())
    latest = {metric_id: (start, value) for metric_id, start, value in session.execute(
        select(Observation.metric_id, Observation.period_start, Observation.value)
        .join(newest, (newest.c.metric_id == Observation.metric_id)
              & (newest.c.start == Observation.period_start)))}
    linked = moment_ids_by_metric(session, ids)
    verdicts = verdicts_for_moments(session, sorted({m for ms in linked.values() for m in ms}), today=today)
    result: list[MapMetric] = []
    for m in metrics:
        lines: list[MomentVerdictLine] = []
        for moment_id in linked[m.id]:
            judged = verdicts.get(moment_id)
            v = next((x for x in judged.metrics if x.metric_id == m.id), None) if judged else None
            if judged is None or v is None:
                continue
            lines.append(MomentVerdictLine(
                moment_id=moment_id, title=judged.title, verdict=v.verdict, words=VERDICT_WORDS[v.verdict],
                change=change_words(v) if v.verdict is not Verdict.not_enough_data else "",
                flagged=v.verdict is Verdict.worse and judged.loop_closed))
        start, value = latest.get(m.id, (None, None))
        result.append(MapMetric(
            id=m.id, name=m.name, latest=amount(value, m.unit) if value is not None else None,
            latest_period=label(m.period, start) if start is not None else None, moments=lines))
    return result
