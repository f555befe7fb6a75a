"""The digest's "Fixes verified this week" and "Fixes that did not move their metric".

Fixes ship on Wednesday 4 and Wednesday 18 March 2026 (week 12); the 8-week after window runs
from week 13 to week 20 (11-17 May), so the week-20 digest reports the verdicts, the weeks
around it do not. Runs on SQLite and PostgreSQL like every test.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrations.slack.message_blocks import digest_blocks
from tests.hostile import HOSTILE
from tests.metrics.factories import metric, shipped_moment, weekly
from tracker.actions.models import ActionItem
from tracker.digests.builder import build_digest
from tracker.digests.fix_verdicts import NOT_MOVED, VERIFIED
from tracker.digests.render import to_html, to_markdown
from tracker.messaging.ports import DigestReport
from tracker.metrics.models import Direction
from tracker.moments.models import MomentOfTruth
from tracker.people.models import Team

FIRST_FIX, LAST_FIX = date(2026, 3, 4), date(2026, 3, 18)
BEFORE_FROM = date(2026, 1, 5)
BEFORE = [38, 41, 36, 40, 39, 42, 37, 40]
DROP = [15, 12, 14, 13, 16, 11, 14, 12]
NOISE = [39, 40, 38, 41, 37, 42, 40, 39]
RISE = [55, 60, 58, 62, 57, 61, 59, 63]


def _moment(session: Session, title: str, after: list[float], *, direction: Direction = Direction.lower_is_better,
            name: str = "Invoice contacts") -> MomentOfTruth:
    m = metric(session, name=name, direction=direction)
    weekly(session, m, BEFORE_FROM, [*BEFORE, 90, 90, 90, *after])
    moment = shipped_moment(session, m, FIRST_FIX, LAST_FIX)
    moment.title = title
    session.flush()
    return moment


def _lines(report: DigestReport, title: str) -> list[str]:
    [found] = [s for s in report.sections if s.title == title]
    return found.lines


def test_verdicts_are_reported_in_the_week_their_after_window_ends(session: Session) -> None:
    _moment(session, "Wrong invoice", DROP)
    _moment(session, "Refund delay", NOISE)
    _moment(session, "Slow chat", RISE)
    report = build_digest(session, scope="programme", week="2026-W20", today=date(2026, 5, 18))
    titles = [s.title for s in report.sections]
    assert titles.index(VERIFIED) == titles.index("Moments of truth whose loop closed") + 1
    assert titles.index(NOT_MOVED) == titles.index(VERIFIED) + 1
    (verified,) = _lines(report, VERIFIED)
    assert verified.startswith("Wrong invoice — Invoice contacts: improved, median 39.5 → 13.5 tickets "
                               "(−26 tickets, −65.8%); Mann-Whitney U test, two-sided, p = ")
    not_moved = _lines(report, NOT_MOVED)
    assert [line.split(":")[0] for line in not_moved] == [
        "Refund delay — Invoice contacts", "Slow chat — Invoice contacts"]
    assert "no clear change" in not_moved[0] and ": worse, median 39.5 → 59.5" in not_moved[1]
    assert report.totals["fixes_verified"] == 1 and report.totals["fixes_not_moved"] == 2
    for week in ("2026-W19", "2026-W21", "2026-W12"):
        other = build_digest(session, scope="programme", week=week, today=date(2026, 6, 30))
        assert _lines(other, VERIFIED) == [] and _lines(other, NOT_MOVED) == []


def test_a_running_week_judges_the_periods_finished_so_far(session: Session) -> None:
    _moment(session, "Wrong invoice", DROP[:7])
    report = build_digest(session, scope="programme", week="2026-W20", today=date(2026, 5, 13))
    (verified,) = _lines(report, VERIFIED)
    assert "improved" in verified


def test_a_team_digest_covers_its_own_moments(session: Session) -> None:
    mine = _moment(session, "Wrong invoice", DROP)
    _moment(session, "Refund delay", NOISE)
    team_id = session.scalars(select(ActionItem.team_id).where(ActionItem.moment_id == mine.id)).first()
    team = session.get(Team, team_id)
    assert team is not None
    report = build_digest(session, scope=f"team:{team.id}", week="2026-W20", today=date(2026, 5, 18))
    assert len(_lines(report, VERIFIED)) == 1 and _lines(report, NOT_MOVED) == []


def test_open_loops_and_missing_values_are_not_reported(session: Session) -> None:
    m = metric(session)
    weekly(session, m, BEFORE_FROM, [*BEFORE, 90, 90, 90, *DROP])
    shipped_moment(session, m, FIRST_FIX, LAST_FIX, open_items=1)  # a fix still open
    _moment(session, "Thin", DROP[:2], name="Thin metric")  # 2 of 8 weeks measured after
    report = build_digest(session, scope="programme", week="2026-W20", today=date(2026, 5, 18))
    assert _lines(report, VERIFIED) == [] and _lines(report, NOT_MOVED) == []


def test_hostile_titles_and_names_are_escaped_everywhere(session: Session) -> None:
    for n, hostile in enumerate(HOSTILE):
        _moment(session, f"{hostile} moment", DROP if n % 2 else NOISE, name=f"{hostile} {n}")
    report = build_digest(session, scope="programme", week="2026-W20", today=date(2026, 5, 18))
    assert len(_lines(report, VERIFIED)) + len(_lines(report, NOT_MOVED)) == len(HOSTILE)
    md, html = to_markdown(report), to_html(report)
    assert "<script>" not in html and "<img" not in html and "<svg" not in html
    assert "\n# Forged heading" not in md and "\n- forged bullet" not in md
    assert "<script>" not in md
    text = str(digest_blocks(report))
    assert "<!channel>" not in text and "<https://evil.test|click>" not in text
