"""Periods of a metric: ISO weeks (Monday start) or calendar months, named by their first day."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tracker.api.params import EARLIEST_DATE
from tracker.metrics.models import Period

_ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{2})$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def period_start(period: Period, day: date) -> date:
    """The first day of the period that contains `day`."""
    if period is Period.weekly:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def next_start(period: Period, start: date) -> date:
    """The first day of the period after the one starting on `start`."""
    if period is Period.weekly:
        return start + timedelta(days=7)
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def period_end(period: Period, start: date) -> date:
    """The last day of the period starting on `start`."""
    return next_start(period, start) - timedelta(days=1)


def starts_between(period: Period, first: date, last: date) -> list[date]:
    """The first days of every period from the one holding `first` to the one holding `last`."""
    starts: list[date] = []
    current = period_start(period, first)
    while current <= last:
        starts.append(current)
        current = next_start(period, current)
    return starts


def label(period: Period, start: date) -> str:
    """How people name the period: 2026-W05 for a week, 2026-02 for a month."""
    if period is Period.weekly:
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{start.year}-{start.month:02d}"


def out_of_range(period: Period, start: date, *, today: date) -> str | None:
    """Why a person may not record a value for the period starting `start`, or None: it has
    not begun yet, or it lies before 2000. (Uploads, the page and the API share this rule.)"""
    if start > period_start(period, today):
        return f"{label(period, start)} is still to come"
    if start < EARLIEST_DATE:
        return f"{label(period, start)} is before 2000"
    return None


def parse_period(period: Period, text: str) -> date:
    """A period's first day from its name (2026-W05, 2026-02) or any date inside it.

    Raises ValueError with a message fit to show a person.
    """
    text = text.strip()
    week = _ISO_WEEK.match(text)
    if week:
        if period is not Period.weekly:
            raise ValueError(f"{text!r} is a week, but this metric is measured monthly")
        try:
            return date.fromisocalendar(int(week[1]), int(week[2]), 1)
        except ValueError:
            raise ValueError(f"{text!r} is not a week: {week[1]} has no week {week[2]}") from None
    month = _MONTH.match(text)
    if month:
        if period is not Period.monthly:
            raise ValueError(f"{text!r} is a month, but this metric is measured weekly (2026-W05)")
        try:
            return date(int(month[1]), int(month[2]), 1)
        except ValueError:
            raise ValueError(f"{text!r} is not a month") from None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        example = "2026-W05" if period is Period.weekly else "2026-02"
        raise ValueError(
            f"{text!r} is not a period: write it as {example} or a date (2026-02-03)"
        ) from None
    return period_start(period, day)
