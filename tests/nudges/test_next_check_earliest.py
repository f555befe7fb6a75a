"""`next_check` finds the earliest moment a nudge is due, even when the owner's and the lead's
timezones are a day apart: followed from assignment, it gives exactly what `decide` asked every
quarter hour gives (the team page's preview relies on this, and so does the sweep)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tracker.actions.models import Phase
from tracker.nudges.policy import Facts, Rules, decide, next_check

TZ_PAIRS = [("Pacific/Kiritimati", "Pacific/Pago_Pago"), ("Asia/Tokyo", "America/New_York"),
            ("America/Los_Angeles", "Asia/Kolkata"), ("Europe/Berlin", "Europe/Berlin")]
POLICIES = [Rules(), Rules(days_before_due=0, remind_on_due_day=False, work_plan_after_days=0, max_snoozes=0),
            Rules(overdue_every_days=1, escalate_after_overdue_days=3, workday_start_hour=7, skip_weekends=False)]


def _facts(rules: Rules, owner_tz: str, lead_tz: str) -> Facts:
    assigned = datetime.combine(date(2031, 1, 14), time(0), tzinfo=ZoneInfo(owner_tz)).astimezone(UTC)
    return Facts(item_id=1, phase=Phase.planned, deadline=date(2031, 1, 20), assigned_at=assigned,
                 work_plan_submitted=False, owner_tz=owner_tz, lead_tz=lead_tz, rules=rules)


def _by_quarter_hours(facts: Facts, days: int) -> list[tuple[str, datetime]]:
    got = []
    moment, end = facts.assigned_at, facts.assigned_at + timedelta(days=days)
    while moment < end:
        decision = decide(facts, moment)
        if decision is not None:
            facts = facts.with_sent(decision.kind, decision.slot, moment)
            got.append((decision.kind.value, moment))
        moment += timedelta(minutes=15)
    return got


def _by_next_check(facts: Facts, days: int) -> list[tuple[str, datetime]]:
    got = []
    moment: datetime | None = facts.assigned_at
    end = facts.assigned_at + timedelta(days=days)
    while moment is not None and moment < end:
        decision = decide(facts, moment)
        if decision is not None:
            facts = facts.with_sent(decision.kind, decision.slot, moment)
            got.append((decision.kind.value, moment))
        moment = next_check(facts, moment)
    return got


@pytest.mark.parametrize(("owner_tz", "lead_tz"), TZ_PAIRS)
@pytest.mark.parametrize("rules", POLICIES, ids=["defaults", "overdue-only", "daily"])
def test_next_check_misses_no_earlier_moment(owner_tz: str, lead_tz: str, rules: Rules) -> None:
    facts = _facts(rules, owner_tz, lead_tz)
    assert _by_next_check(facts, 21) == _by_quarter_hours(facts, 21)
