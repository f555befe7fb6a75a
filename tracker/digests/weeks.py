"""ISO weeks ("2026-W47"): parsing, the Monday-Sunday bounds in a timezone, readable periods."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tracker.errors import InvalidInput

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True)
class Week:
    monday: date

    @property
    def label(self) -> str:
        year, number, _ = self.monday.isocalendar()
        return f"{year}-W{number:02d}"

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """[Monday 00:00, next Monday 00:00) in `tz`, as UTC instants."""
        start = datetime.combine(self.monday, time(0), tzinfo=tz)
        end = datetime.combine(self.monday + timedelta(days=7), time(0), tzinfo=tz)
        return start.astimezone(UTC), end.astimezone(UTC)

    def period(self) -> str:
        """'16-22 Nov 2026', '30 Nov - 6 Dec 2026', '28 Dec 2026 - 3 Jan 2027'."""
        a, b = self.monday, self.sunday
        if a.year != b.year:
            return f"{a.day} {a:%b %Y} - {b.day} {b:%b %Y}"
        if a.month != b.month:
            return f"{a.day} {a:%b} - {b.day} {b:%b %Y}"
        return f"{a.day}-{b.day} {b:%b %Y}"

    def previous(self) -> Week:
        return Week(self.monday - timedelta(days=7))


def parse_week(text: str) -> Week:
    """'2026-W47' -> that week; anything else is a 422 naming `week`."""
    match = _WEEK.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise InvalidInput(f"week must look like 2026-W47, not {text!r}", field="week")
    year, number = int(match.group(1)), int(match.group(2))
    try:
        return Week(date.fromisocalendar(year, number, 1))
    except ValueError as exc:
        raise InvalidInput(f"{text} is not a week of the ISO calendar ({year} has no week {number})",
                           field="week") from exc


def week_of(day: date) -> Week:
    return Week(day - timedelta(days=day.weekday()))
