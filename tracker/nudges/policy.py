"""When an action item's owner (or the team's lead) gets a Slack nudge: pure functions, no I/O.

Defaults (a team's `nudge_policies` row overrides every one of them):

- **before the deadline**: one reminder 2 days before it (`days_before_due`; 0 turns it off);
- **on the due day**: one reminder (`remind_on_due_day`);
- **overdue**: a reminder on the first day overdue, then every 2 days (`overdue_every_days`),
  counted from the last overdue reminder or escalation actually recorded;
- **escalation**: once the item is 5 days overdue (`escalate_after_overdue_days`), once per
  deadline, to the team's lead (a DM) and the team's channel; the owner's overdue reminders go on;
- **work plan**: one reminder 3 days after the owner was assigned (`work_plan_after_days`; 0 turns
  it off) while no work plan has been submitted; once per assignment;
- **snoozes**: 2 snoozes (`max_snoozes`) of 1 day each (`snooze_days`). While snoozed, nothing is
  sent for the item (escalations wait too: the wait is bounded by the limit). After the last
  allowed snooze, the next reminder that falls due goes to the lead as an escalation instead
  (once per deadline); after that the owner's reminders resume;
- **working hours**: 9:00-17:00 (`workday_start_hour`, `workday_end_hour`) on Monday-Friday
  (`skip_weekends`), in the *recipient's* timezone: the owner's for reminders, the lead's for
  escalations (the team's timezone when the team has no lead).

Edge cases, decided here:

- done and cancelled items are never nudged (and have no next check);
- blocked items get no reminders (the owner is waiting on someone else), but an escalation still
  goes out once a blocked item is past `escalate_after_overdue_days`: the lead must know;
- at most one nudge per item per owner-local day, the most relevant one:
  escalation > overdue > due today > before due > work plan. A reminder that lost out is not sent
  later (except the work-plan one, which waits for a day with nothing more urgent);
- dates are the recipient's calendar dates: "2 days before" a deadline of Friday is Wednesday in
  Tokyo and in New York, at 9:00 local in each;
- after downtime only what is due *now* is sent: an item found 6 days overdue gets one
  escalation, not the missed before-due, due-day and overdue reminders; a reminder whose day
  passed during a weekend is not sent on Monday unless it is still due then (overdue reminders
  are: their cadence counts from the last one sent).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tracker.actions.models import Phase
from tracker.nudges.models import NudgeKind

CLOSED = frozenset({Phase.done, Phase.cancelled})
# How far back the overdue cadence needs history (the longest allowed cadence, plus margin).
OVERDUE_HISTORY_DAYS = 40


@dataclass(frozen=True)
class Rules:
    """A team's nudge policy (the defaults when the team has none)."""

    days_before_due: int = 2
    remind_on_due_day: bool = True
    overdue_every_days: int = 2
    escalate_after_overdue_days: int = 5
    work_plan_after_days: int = 3
    max_snoozes: int = 2
    snooze_days: int = 1
    workday_start_hour: int = 9
    workday_end_hour: int = 17
    skip_weekends: bool = True

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(cls.__dataclass_fields__)

    @classmethod
    def of(cls, row: Any | None) -> Rules:
        """From a NudgePolicy row (or any object with the same attributes); None: defaults."""
        if row is None:
            return cls()
        return cls(**{name: getattr(row, name) for name in cls.field_names()})


DEFAULTS = Rules()


@dataclass(frozen=True)
class Sent:
    """A nudge already recorded for the item."""

    kind: NudgeKind
    slot: str
    at: datetime


@dataclass(frozen=True)
class Facts:
    """Everything the policy needs to know about one action item."""

    item_id: int
    phase: Phase
    deadline: date
    assigned_at: datetime
    work_plan_submitted: bool
    owner_tz: str
    lead_tz: str  # the escalation recipient's: the team lead's, else the team's
    rules: Rules = DEFAULTS
    snoozes: int = 0
    snoozed_until: datetime | None = None
    sent: tuple[Sent, ...] = field(default_factory=tuple)

    def with_sent(self, kind: NudgeKind, slot: str, at: datetime) -> Facts:
        return replace(self, sent=(*self.sent, Sent(kind, slot, at)))


@dataclass(frozen=True)
class Decision:
    kind: NudgeKind
    slot: str  # unique per item and kind: a restart or a second worker cannot record it again
    to_lead: bool  # escalation: the team lead's DM and the team channel; else the owner's DM
    reason: str


@lru_cache(maxsize=512)
def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")  # a bad stored name must not stop everyone's nudges


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date()


def is_working_day(day: date, rules: Rules) -> bool:
    return not (rules.skip_weekends and day.weekday() >= 5)


def in_working_hours(moment: datetime, tz: ZoneInfo, rules: Rules) -> bool:
    local = moment.astimezone(tz)
    return (is_working_day(local.date(), rules)
            and rules.workday_start_hour <= local.hour < rules.workday_end_hour)


def _at(day: date, hour: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=tz).astimezone(UTC)


# --- deciding ------------------------------------------------------------------------------------

def _has(facts: Facts, kind: NudgeKind, slot: str) -> bool:
    return any(s.kind is kind and s.slot == slot for s in facts.sent)


def _last_overdue_day(facts: Facts, tz: ZoneInfo) -> date | None:
    """The owner-local date of the last overdue reminder or escalation for this deadline."""
    days = [local_date(s.at, tz) for s in facts.sent
            if s.kind in (NudgeKind.overdue, NudgeKind.escalation)]
    days = [d for d in days if d > facts.deadline]
    return max(days) if days else None


def work_plan_slot(facts: Facts) -> str:
    return facts.assigned_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def _owner_reminder(facts: Facts, today: date, tz: ZoneInfo) -> Decision | None:
    """The most relevant reminder due for the owner on their local date `today`."""
    rules, deadline = facts.rules, facts.deadline
    overdue_days = (today - deadline).days
    if overdue_days >= 1:
        last = _last_overdue_day(facts, tz)
        if last is None or (today - last).days >= rules.overdue_every_days:
            return Decision(NudgeKind.overdue, today.isoformat(), False,
                            f"{overdue_days} days overdue")
    elif overdue_days == 0:
        if rules.remind_on_due_day and not _has(facts, NudgeKind.due_today, deadline.isoformat()):
            return Decision(NudgeKind.due_today, deadline.isoformat(), False, "due today")
    elif (rules.days_before_due and -overdue_days <= rules.days_before_due
          and not _has(facts, NudgeKind.before_due, deadline.isoformat())):
        return Decision(NudgeKind.before_due, deadline.isoformat(), False,
                        f"due in {-overdue_days} days")
    if not facts.work_plan_submitted and rules.work_plan_after_days:
        assigned = local_date(facts.assigned_at, tz)
        slot = work_plan_slot(facts)
        if (today - assigned).days >= rules.work_plan_after_days and not _has(facts, NudgeKind.work_plan, slot):
            return Decision(NudgeKind.work_plan, slot, False, "no work plan yet")
    return None


def decide(facts: Facts, now: datetime) -> Decision | None:
    """The one nudge due for this item at `now`, or None. See the module docstring."""
    if facts.phase in CLOSED:
        return None
    if facts.snoozed_until is not None and now < facts.snoozed_until:
        return None
    rules = facts.rules
    owner_tz, lead_tz = zone(facts.owner_tz), zone(facts.lead_tz)
    today = local_date(now, owner_tz)
    if any(local_date(s.at, owner_tz) == today for s in facts.sent):
        return None  # one nudge per item per owner-local day
    lead_hours = in_working_hours(now, lead_tz, rules)
    late = (local_date(now, lead_tz) - facts.deadline).days
    esc_slot = f"overdue:{facts.deadline.isoformat()}"
    if late >= rules.escalate_after_overdue_days and not _has(facts, NudgeKind.escalation, esc_slot):
        if lead_hours:
            return Decision(NudgeKind.escalation, esc_slot, True, f"{late} days overdue")
        if facts.phase is Phase.blocked:
            return None
    if facts.phase is Phase.blocked:
        return None
    reminder = _owner_reminder(facts, today, owner_tz)
    if reminder is None:
        return None
    snooze_slot = f"snoozed:{facts.deadline.isoformat()}"
    if (facts.snoozes and facts.snoozes >= rules.max_snoozes
            and not _has(facts, NudgeKind.escalation, snooze_slot)):
        # The owner used up their snoozes: this reminder goes to the lead instead.
        if not lead_hours:
            return None
        return Decision(NudgeKind.escalation, snooze_slot, True,
                        f"{reminder.reason}; snoozed {facts.snoozes} times")
    return reminder if in_working_hours(now, owner_tz, rules) else None


# --- when to look again ------------------------------------------------------------------------

def _probe_dates(facts: Facts, today: date, owner_tz: ZoneInfo) -> list[date]:
    """Local dates on which something may become due (each is probed for a few days)."""
    rules, deadline = facts.rules, facts.deadline
    dates = {today, deadline, deadline + timedelta(days=1),
             deadline + timedelta(days=rules.escalate_after_overdue_days)}
    if rules.days_before_due:
        dates.add(deadline - timedelta(days=rules.days_before_due))
    last = _last_overdue_day(facts, owner_tz)
    if last is not None:
        dates.add(last + timedelta(days=rules.overdue_every_days))
    if not facts.work_plan_submitted and rules.work_plan_after_days:
        dates.add(local_date(facts.assigned_at, owner_tz) + timedelta(days=rules.work_plan_after_days))
    return sorted(d for d in dates if d >= today - timedelta(days=1))


def next_check(facts: Facts, now: datetime) -> datetime | None:
    """The earliest moment after `now` at which `decide` returns a nudge (None: never, until the
    item changes). Assumes `facts.sent` already holds whatever was recorded at `now`.

    Decisions only change at the start of working hours and at midnight in the owner's or the
    lead's timezone, or when a snooze ends, so only those moments are probed, around the dates
    on which something can fall due (a few days each, to get past weekends).
    """
    if facts.phase in CLOSED:
        return None
    start = max(now, facts.snoozed_until or now)
    owner_tz, lead_tz = zone(facts.owner_tz), zone(facts.lead_tz)
    rules = facts.rules
    today = local_date(start, owner_tz)
    if start > now and decide(facts, start) is not None:
        return start
    # All probes' moments in one order: the windows overlap, and with timezones far apart a
    # later probe date can hold an earlier moment (the lead's morning is the owner's evening).
    moments = sorted({
        m for probe in _probe_dates(facts, today, owner_tz) for offset in range(4)
        for tz in {owner_tz, lead_tz}
        for m in (_at(probe + timedelta(days=offset), rules.workday_start_hour, tz),
                  _at(probe + timedelta(days=offset), 0, tz))
        if m > start or (m == start and start > now)
    })
    for moment in moments:
        if decide(facts, moment) is not None:
            return moment
    return None
