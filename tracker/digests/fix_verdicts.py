"""The digest's "Fixes verified this week" and "Fixes that did not move their metric".

When a verdict is news: a moment's metric is reported in the digest of the week in which its
*after window ends*, i.e. the week holding the last day of the `window`-th period after the one
its last fix shipped in (8 weeks by default). Each verdict is then reported once, on the full
window the README's rule describes, rather than flickering from week to week while the after
window fills (a verdict can already be readable after 4 periods; the moment page shows it as it
stands). It is judged as of the week's end, or today while the week still runs (then on the
periods finished so far).

- improved -> "Fixes verified this week";
- worse or no clear change -> "Fixes that did not move their metric" (a closed loop that got
  worse says so: the moment page flags it to the lead);
- not enough data yet (values missing) is left out: there is nothing to verify.

A team's digest covers the moments with an action item of that team; the programme's, all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from tracker.digests.weeks import Week
from tracker.messaging.ports import DigestSection
from tracker.metrics.models import MomentMetric
from tracker.metrics.periods import period_end
from tracker.metrics.shipped import ship_dates
from tracker.metrics.verdicts import DEFAULT_WINDOW, MetricVerdict, Verdict, verdicts_for_moments, windows
from tracker.metrics.words import verdict_line
from tracker.moments.status import action_moment_id

VERIFIED = "Fixes verified this week"
NOT_MOVED = "Fixes that did not move their metric"


@dataclass
class FixSections:
    verified: list[str] = field(default_factory=list)
    not_moved: list[str] = field(default_factory=list)

    def sections(self) -> list[DigestSection]:
        return [
            DigestSection(VERIFIED, self.verified, empty_text="No fix finished its after window this week."),
            DigestSection(NOT_MOVED, self.not_moved, empty_text="None this week."),
        ]


def window_end(v: MetricVerdict, last_shipped: date, window: int) -> date:
    """The last day of the full after window (whether or not it has been measured yet)."""
    full = windows(v.period, first_shipped=last_shipped, last_shipped=last_shipped, window=window,
                   today=date.max)
    return period_end(v.period, full.after[-1])


def _candidates(session: Session, items: ColumnElement[bool], week: Week, window: int) -> list[int]:
    owner_moment = action_moment_id()
    linked = select(MomentMetric.moment_id)
    scoped = select(owner_moment).where(items, owner_moment.in_(linked)).distinct()
    ids = [m for (m,) in session.execute(scoped) if m is not None]
    # A monthly window is at most 31 days a period: older fixes cannot end theirs this week.
    earliest = week.monday - timedelta(days=31 * (window + 2))
    return [m for m, (_, last) in ship_dates(session, ids).items() if earliest <= last <= week.sunday]


def fix_sections(session: Session, *, items: ColumnElement[bool], week: Week, today: date,
                 window: int = DEFAULT_WINDOW) -> FixSections:
    """`items` selects the scope's action items (Scope.items() of the builder)."""
    found = FixSections()
    ids = _candidates(session, items, week, window)
    if not ids:
        return found
    as_of = min(today, week.sunday + timedelta(days=1))
    judged = verdicts_for_moments(session, ids, today=as_of, window=window)
    for moment in sorted(judged.values(), key=lambda m: (m.title, m.moment_id)):
        if not moment.loop_closed or moment.last_fix_shipped is None:
            continue
        for v in moment.metrics:
            if not week.monday <= window_end(v, moment.last_fix_shipped, window) <= week.sunday:
                continue
            line = f"{moment.title} — {verdict_line(v)}"
            if v.verdict is Verdict.improved:
                found.verified.append(line)
            elif v.verdict in (Verdict.worse, Verdict.no_clear_change):
                found.not_moved.append(line)
    return found
