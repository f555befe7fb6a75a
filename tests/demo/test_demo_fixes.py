"""Acceptance 3 of "did the fix work?": the demo shows one fix verified as improved and one that
did not move its metric, whatever the weekday it is loaded on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.demo import load_demo
from tracker.demo.fixes import CONTACTS, CSAT
from tracker.digests.builder import build_digest
from tracker.digests.fix_verdicts import NOT_MOVED, VERIFIED
from tracker.digests.weeks import week_of
from tracker.metrics.models import Observation, SuccessMetric
from tracker.metrics.verdicts import MomentVerdicts, Verdict, verdicts_for_moments
from tracker.moments.models import MomentOfTruth

MONDAY = datetime(2026, 11, 30, 8, tzinfo=UTC)


def _verdicts(session: Session, today: datetime) -> dict[str, MomentVerdicts]:
    moments = {m.title: m.id for m in session.scalars(select(MomentOfTruth))}
    found = verdicts_for_moments(session, list(moments.values()), today=today.date())
    return {title: found[mid] for title, mid in moments.items()}


@pytest.mark.parametrize("days_later", range(7))
def test_one_fix_improved_and_one_did_not_move(session: Session, days_later: int) -> None:
    now = MONDAY + timedelta(days=days_later)
    load_demo(session, now=now)
    verdicts = _verdicts(session, now)
    upgrade = verdicts["Understanding a mid-cycle upgrade charge"]
    callback = verdicts["Waiting on hold for a billing callback"]
    assert upgrade.loop_closed and callback.loop_closed
    (contacts,) = upgrade.metrics
    (csat,) = callback.metrics
    assert (contacts.name, contacts.verdict) == (CONTACTS, Verdict.improved)
    assert (contacts.before_periods, contacts.after_periods) == (8, 7)
    assert contacts.before_median == 39.5 and contacts.after_median == 24
    assert contacts.p_value is not None and contacts.p_value < 0.01
    assert (csat.name, csat.verdict) == (CSAT, Verdict.no_clear_change)
    assert (csat.before_periods, csat.after_periods) == (8, 7) and (csat.p_value or 0) > 0.5
    assert not upgrade.flagged and not callback.flagged
    # The ship dates sit in the weeks the series leaves out, 9 and 8 weeks back.
    monday = now.date() - timedelta(days=now.weekday())
    assert upgrade.first_fix_shipped == monday - timedelta(weeks=9) + timedelta(days=2)
    last = monday - timedelta(weeks=8) + timedelta(days=2)
    assert upgrade.last_fix_shipped == callback.last_fix_shipped == last


def test_the_maps_metrics_have_weekly_history_and_units(session: Session) -> None:
    load_demo(session)
    metrics = {m.name: m for m in session.scalars(select(SuccessMetric))}
    assert metrics[CONTACTS].unit == "contacts per 1,000 invoices"
    for name in (CONTACTS, CSAT):
        count = session.scalar(select(func.count()).where(Observation.metric_id == metrics[name].id))
        assert count == 25
    # Open moments name metrics too: their verdict waits for the fixes.
    verdicts = _verdicts(session, datetime.now(UTC))
    first_look = verdicts["The first look at a wrong invoice"]
    assert [v.verdict for v in first_look.metrics] == [Verdict.not_enough_data]


@pytest.mark.parametrize("days_later", [0, 3, 6])
def test_this_weeks_digest_shows_both_answers(session: Session, days_later: int) -> None:
    now = MONDAY + timedelta(days=days_later)
    load_demo(session, now=now)
    report = build_digest(session, scope="programme", week=week_of(now.date()).label, today=now.date())
    lines = {s.title: s.lines for s in report.sections}
    (verified,) = lines[VERIFIED]
    (not_moved,) = lines[NOT_MOVED]
    assert verified.startswith(f"Understanding a mid-cycle upgrade charge — {CONTACTS}: improved")
    assert not_moved.startswith(f"Waiting on hold for a billing callback — {CSAT}: no clear change")
