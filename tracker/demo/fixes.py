"""Did the fix work? in the demo: the invoice map's success metrics with 25 weeks of history,
and two moments fixed two months ago, so a newcomer sees both answers at once.

- "Understanding a mid-cycle upgrade charge": two fixes shipped 9 and 8 weeks ago; billing
  contacts dropped clearly after them: **improved**.
- "Waiting on hold for a billing callback": one fix shipped 8 weeks ago; billing CSAT only
  wobbled around 3.9: **no clear change**.

Dates are counted in whole ISO weeks back from the demo's "now" (fixes ship on a Wednesday
afternoon, UTC), so the verdicts are the same whatever the weekday the demo is loaded on: the
after-windows (8 weeks from the week after the last fix) end with the current week, so the
digest of the current week reports both (tracker/digests/fix_verdicts.py) and the moment pages
judge them on the 7 finished weeks after.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from tracker.actions.models import ActionItem, Phase, Priority, TrainingRecord
from tracker.config import PriorityWeights
from tracker.metrics.models import (
    Direction,
    MomentMetric,
    Observation,
    ObservationSource,
    SuccessMetric,
)
from tracker.moments.models import MomentOfTruth

if TYPE_CHECKING:
    from tracker.demo.loader import DemoBuilder

CONTACTS = "Billing contacts per 1,000 invoices drop from 38 to under 15"
CSAT = "Billing CSAT above 4.2/5"
TIME_TO_FIX = "Median time to a corrected invoice under 2 business days"

# name -> (unit, direction, weekly values oldest first, the last one for last week)
METRICS: dict[str, tuple[str, Direction, list[float]]] = {
    CONTACTS: ("contacts per 1,000 invoices", Direction.lower_is_better, [
        41, 39, 43, 38, 40, 42, 37, 40,  # older history
        39, 41, 38, 42, 40, 37, 41, 39,  # the 8 weeks before the first fix (17 to 10 weeks ago)
        33, 29,  # the weeks the two fixes shipped in
        26, 24, 25, 22, 24, 23, 21]),  # after the last fix
    CSAT: ("points of 5", Direction.higher_is_better, [
        4.0, 3.9, 3.8, 4.1, 3.9, 4.0, 3.8, 3.9, 4.0,
        3.9, 4.0, 3.8, 4.1, 3.9, 3.7, 4.0, 3.9,  # the 8 weeks before the callback fix
        3.9,  # the week it shipped
        3.8, 4.0, 3.9, 4.1, 3.8, 4.0, 3.9]),  # after: the same wobble
    TIME_TO_FIX: ("business days", Direction.lower_is_better, [
        4.5, 4.8, 4.2, 5.1, 4.6, 4.4, 4.9, 4.7, 4.3, 5.0, 4.6, 4.8, 4.5,
        4.4, 4.9, 4.6, 4.2, 4.7, 5.2, 4.5, 4.6, 4.8, 4.4, 4.7, 4.5]),
}

MOMENTS: list[dict[str, Any]] = [
    {"key": "upgrade_charge", "title": "Understanding a mid-cycle upgrade charge",
     "description": "A surprise pro-rated line after adding seats: the customer cannot tell "
     "what they pay for, and writes to support.",
     "reach": 3, "severity": 3, "emotional_weight": 3, "business_impact": 2, "effort": 2,
     "confidence": 4, "metrics": [CONTACTS]},
    {"key": "callback_wait", "title": "Waiting on hold for a billing callback",
     "description": "Long holds before a billing specialist picks up a disputed charge.",
     "reach": 2, "severity": 3, "emotional_weight": 4, "business_impact": 2, "effort": 3,
     "confidence": 3, "metrics": [CSAT]},
]

# Weeks ago are whole ISO weeks before the current one.
FIXES: list[dict[str, Any]] = [
    {"moment": "upgrade_charge", "title": "Add a proration breakdown to upgrade invoices",
     "team": "billing", "owner": "billing", "weeks_ago": 9, "assigned_weeks_ago": 14,
     "work_plan": "Show the days charged, the seat price and the dates on every pro-rated line."},
    {"moment": "upgrade_charge", "title": "Email a plain-words summary with every upgrade charge",
     "team": "product", "owner": "product", "weeks_ago": 8, "assigned_weeks_ago": 13,
     "work_plan": "One paragraph per upgrade: what changed, from when, what it costs this cycle."},
    {"moment": "callback_wait", "title": "Offer a callback slot instead of holding for billing",
     "team": "support", "owner": "support", "weeks_ago": 8, "assigned_weeks_ago": 12,
     "work_plan": "Callback booking in the phone menu; billing specialists call back within 2 hours."},
]
# Open moments that name a metric too, so their pages show the history before any verdict.
OPEN_LINKS: list[tuple[str, str]] = [("first_look", CONTACTS), ("money_back", TIME_TO_FIX)]


def week_start(today: date, weeks_ago: int) -> date:
    """The Monday of the ISO week `weeks_ago` weeks before the one holding `today`."""
    return today - timedelta(days=today.weekday(), weeks=weeks_ago)


def shipped_at(today: date, weeks_ago: int) -> datetime:
    """Wednesday 14:00 UTC of that week: mid-week, so the ship week is never on an edge."""
    day = week_start(today, weeks_ago) + timedelta(days=2)
    return datetime(day.year, day.month, day.day, 14, tzinfo=UTC)


def _metrics(b: DemoBuilder) -> dict[str, SuccessMetric]:
    jmap = b.maps["invoice"]
    found = {m.name: m for m in b.session.scalars(
        select(SuccessMetric).where(SuccessMetric.journey_map_id == jmap.id))}
    for name, (unit, direction, values) in METRICS.items():
        metric = found[name]
        metric.unit, metric.direction = unit, direction
        weeks = len(values)
        for n, value in enumerate(values):
            start = week_start(b.today, weeks - n)
            b.session.add(Observation(
                metric_id=metric.id, period_start=start, value=value, source=ObservationSource.csv,
                recorded_by_id=b.people["lead"].id,
                recorded_at=datetime(start.year, start.month, start.day, 9, tzinfo=UTC) + timedelta(days=7)))
    b.session.flush()
    return found


def load_fixes(b: DemoBuilder, weights: PriorityWeights) -> None:
    from tracker.demo.loader import priority_score  # the loader imports this module

    lead = b.people["lead"]
    metrics = _metrics(b)
    factors = ("reach", "severity", "emotional_weight", "business_impact", "effort", "confidence")
    for data in MOMENTS:
        created = shipped_at(b.today, 20)
        moment = MomentOfTruth(
            journey_map_id=b.maps["invoice"].id, title=data["title"], description=data["description"],
            score=priority_score(data, weights), created_by_id=lead.id, created_at=created,
            **{k: data[k] for k in factors})
        b.session.add(moment)
        b.session.flush()
        b.moments[data["key"]] = moment
        b.log(lead, "moment", moment.id, created, moment_id=moment.id,
              changes={"title": moment.title, "score": moment.score})
        for name in data["metrics"]:
            b.session.add(MomentMetric(moment_id=moment.id, metric_id=metrics[name].id,
                                       created_by_id=lead.id, created_at=created))
    for key, name in OPEN_LINKS:
        b.session.add(MomentMetric(moment_id=b.moments[key].id, metric_id=metrics[name].id,
                                   created_by_id=lead.id, created_at=b.ago(30)))
    for data in FIXES:
        _fix(b, data)
    b.session.flush()


def _fix(b: DemoBuilder, data: dict[str, Any]) -> None:
    lead = b.people["lead"]
    assigned = shipped_at(b.today, data["assigned_weeks_ago"])
    done_at = shipped_at(b.today, data["weeks_ago"])
    moment = b.moments[data["moment"]]
    item = ActionItem(
        moment_id=moment.id, title=data["title"], team_id=b.teams[data["team"]].id,
        owner_id=b.people[data["owner"]].id, deadline=done_at.date() + timedelta(days=3),
        priority=Priority.medium, phase=Phase.done, assigned_at=assigned, created_at=assigned,
        updated_at=done_at, work_plan=data["work_plan"],
        work_plan_submitted_at=assigned + timedelta(days=2), completed_at=done_at,
        training_waived_reason="Agents were briefed in the weekly standup.")
    b.session.add(item)
    b.session.flush()
    b.session.add(TrainingRecord(action_item_id=item.id, needed=False))
    b.log(lead, "action_item", item.id, assigned, action_item_id=item.id, moment_id=moment.id,
          changes={"title": item.title, "owner_id": item.owner_id, "deadline": item.deadline,
                   "phase": Phase.planned})
    b.log(lead, "action_item", item.id, done_at, action="phase_changed", action_item_id=item.id,
          moment_id=moment.id, changes={"phase": {"from": Phase.planned.value, "to": Phase.done.value}})
