"""The weekly digest against a seeded week: every section, its edges, and the scopes.

The team works in Berlin; the week is 2026-W47, Monday 16 to Sunday 22 November 2026, built on
Monday the 23rd.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests import factories
from tests.factories.actions import moment
from tests.factories.digests import checklist, item, moved, training
from tests.factories.nudges import at
from tracker.actions.models import NotificationStatus as N
from tracker.actions.models import Phase as P
from tracker.digests.builder import build_digest
from tracker.errors import InvalidInput, NotFound
from tracker.messaging.ports import DigestReport
from tracker.people.models import Role
from tracker.sync.models import LinkState, TargetKind, TicketLink, TicketTarget

BERLIN = "Europe/Berlin"
MON, SUN, TODAY = date(2026, 11, 16), date(2026, 11, 22), date(2026, 11, 23)
LATER = date(2026, 12, 31)


def berlin(day: date, hour: int, minute: int = 0) -> Any:
    return at(day, hour, BERLIN, minute)


@pytest.fixture
def week(session: Session) -> dict[str, Any]:
    ana = factories.person(session, Role.owner, name="Ana Ruiz")
    ben = factories.person(session, Role.owner, name="Ben Okafor")
    team = factories.team(session, name="Billing Operations", timezone=BERLIN, slack_channel="#billing")
    other = factories.team(session, name="Docs")
    m1, m2, m3 = (moment(session) for _ in range(3))
    m1.title, m2.title, m3.title = "Wrong invoice", "Refund delay", "Slow chat"
    w: dict[str, Any] = {"team": team, "other": other}
    # Moved: two steps of one item, one at each edge of the Berlin week; one just before it.
    vat = item(session, team, ana, "Fix VAT line", P.training, LATER)
    moved(session, vat, P.planned, P.implementing, berlin(MON, 0, 30))  # Sunday 23:30 UTC: in
    moved(session, vat, P.implementing, P.training, berlin(SUN, 23, 30))  # in
    moved(session, vat, P.planned, P.implementing, berlin(MON - timedelta(days=1), 23, 30))  # out
    training(session, vat, trained=4, target=10, sessions=1)
    # Completed and moments: m1 closes (its only item done this week); m2 closes (one done last
    # week, the last one this week); m3 does not (an item is still open).
    faq = item(session, team, ben, "Rewrite refund FAQ", P.done, date(2026, 11, 19),
               completed_at=berlin(date(2026, 11, 18), 15), moment_id=m1.id)
    moved(session, faq, P.closing_loop, P.done, berlin(date(2026, 11, 18), 15))
    checklist(session, faq, N.notified, N.notified, N.acknowledged)
    item(session, team, ben, "Credit note template", P.done, date(2026, 11, 1),
         completed_at=berlin(date(2026, 11, 10), 9), moment_id=m2.id)
    item(session, team, ana, "Sales script", P.done, LATER, completed_at=berlin(date(2026, 11, 20), 11),
         moment_id=m2.id)
    item(session, team, ana, "Chat macro", P.done, LATER, completed_at=berlin(date(2026, 11, 17), 11),
         moment_id=m3.id)
    item(session, team, ben, "Chat routing", P.implementing, LATER, moment_id=m3.id)
    # Overdue: passed during the week (deadline Sun 15th passed on Monday; Wed 18th), not yet
    # (Sun 22nd passes on the 23rd), long overdue by owner, blocked counts, cancelled does not.
    item(session, team, ana, "Fix refund form", P.implementing, date(2026, 11, 15))
    item(session, team, ben, "Update price page", P.planned, date(2026, 11, 18))
    item(session, team, ben, "Due on Sunday", P.implementing, SUN)
    item(session, team, ana, "Old macro", P.implementing, date(2026, 11, 1))
    item(session, team, ana, "Blocked export", P.blocked, date(2026, 11, 5), phase_before_block=P.implementing)
    item(session, team, ben, "Legacy form", P.planned, date(2026, 11, 10))
    item(session, team, ben, "Dropped idea", P.cancelled, date(2026, 11, 2))
    # Closing the loop and a broken ticket link.
    notify = item(session, team, ana, "Tell complainants", P.closing_loop, LATER)
    checklist(session, notify, N.notified, N.acknowledged, N.unreachable, N.pending, N.pending)
    target = TicketTarget(name="Billing Jira", kind=TargetKind.jira, connection="acme", project="BILL")
    session.add(target)
    session.flush()
    session.add(TicketLink(action_item_id=vat.id, target_id=target.id, state=LinkState.broken, marker="m-vat",
                           remote_key="BILL-9", broken_reason="the project was archived"))
    # Another team's week: only the programme digest shows it.
    elsewhere = item(session, other, ana, "Docs overhaul", P.done, LATER, completed_at=berlin(date(2026, 11, 19), 12))
    moved(session, elsewhere, P.closing_loop, P.done, berlin(date(2026, 11, 19), 12))
    session.flush()
    return w


def section(report: DigestReport, title: str) -> list[str]:
    [found] = [s for s in report.sections if s.title == title]
    return found.lines


def test_every_section_of_a_teams_week(session: Session, week: dict[str, Any]) -> None:
    report = build_digest(session, scope=f"team:{week['team'].id}", week="2026-W47", today=TODAY)
    assert report.title == "Billing Operations: week 2026-W47" and report.period == "16-22 Nov 2026"
    assert [s.title for s in report.sections] == [
        "Moved this week", "Completed", "Newly overdue", "Still overdue, by owner",
        "Moments of truth whose loop closed", "Fixes verified this week", "Fixes that did not move their metric",
        "Closing the loop", "Training", "Broken ticket links"]
    assert section(report, "Moved this week") == [
        "implementing: Fix VAT line (Ana Ruiz; was planned)",
        "training: Fix VAT line (Ana Ruiz; was implementing)",
        "done: Rewrite refund FAQ (Ben Okafor; was closing_loop)",
    ]
    assert section(report, "Completed") == [
        "Rewrite refund FAQ (Ben Okafor)", "Sales script (Ana Ruiz)", "Chat macro (Ana Ruiz)"]
    assert section(report, "Newly overdue") == [
        "Fix refund form (Ana Ruiz): due Sun 15 Nov, implementing",
        "Update price page (Ben Okafor): due Wed 18 Nov, planned",
    ]
    assert section(report, "Still overdue, by owner") == [
        "Ana Ruiz (2): Old macro (21 days), Blocked export (17 days)",
        "Ben Okafor (1): Legacy form (12 days)",
    ]
    assert section(report, "Moments of truth whose loop closed") == [
        "Refund delay (2 action items done)", "Wrong invoice (1 action items done)"]
    assert section(report, "Closing the loop") == [
        "Rewrite refund FAQ: 2 notified, 1 acknowledged, 0 unreachable, 0 pending",
        "Tell complainants: 1 notified, 1 acknowledged, 1 unreachable, 2 pending",
    ]
    assert section(report, "Training") == [
        "Overall: 4 of 10 people trained across 1 items", "Fix VAT line: 4 of 10 people trained (1 sessions)"]
    assert section(report, "Broken ticket links") == ["Fix VAT line (BILL-9): the project was archived"]
    assert report.totals | {} == {
        "moved": 3, "completed": 3, "newly_overdue": 2, "still_overdue": 3, "overdue": 5,
        "moments_closed": 2, "checklist_pending": 2, "checklist_notified": 3, "checklist_acknowledged": 2,
        "checklist_unreachable": 1, "trained": 4, "training_target": 10, "broken_links": 1,
        "fixes_verified": 0, "fixes_not_moved": 0,
    }
    assert report.headline.startswith("3 phase changes, 3 completed, 2 newly overdue (5 overdue in all)")


def test_the_programme_digest_covers_every_team(session: Session, week: dict[str, Any]) -> None:
    report = build_digest(session, scope="programme", week="2026-W47", today=TODAY)
    assert report.title == "Programme: week 2026-W47" and report.scope == "programme"
    assert "Docs overhaul (Ana Ruiz)" in section(report, "Completed")
    # The programme's week is in UTC: the move at 00:30 Monday in Berlin was Sunday in UTC.
    assert report.totals["completed"] == 4 and report.totals["moved"] == 3


def test_a_week_still_running_counts_overdue_as_of_today(session: Session, week: dict[str, Any]) -> None:
    report = build_digest(session, scope=f"team:{week['team'].id}", week="2026-W47", today=date(2026, 11, 17))
    assert section(report, "Newly overdue") == ["Fix refund form (Ana Ruiz): due Sun 15 Nov, implementing"]


def test_an_empty_week_and_bad_input(session: Session, week: dict[str, Any]) -> None:
    report = build_digest(session, scope=f"team:{week['other'].id}", week="2025-W01", today=TODAY)
    assert report.period == "30 Dec 2024 - 5 Jan 2025"
    assert all(s.lines == [] for s in report.sections if s.title != "Broken ticket links")
    for scope, week_text, field in (("team:x", "2026-W47", "scope"), ("teams", "2026-W47", "scope"),
                                    ("programme", "2026-47", "week"), ("programme", "2026-W54", "week")):
        with pytest.raises(InvalidInput) as err:
            build_digest(session, scope=scope, week=week_text)
        assert err.value.field == field
    with pytest.raises(NotFound):
        build_digest(session, scope="team:999999", week="2026-W47")
