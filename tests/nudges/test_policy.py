"""The nudge policy as pure functions, on a controlled clock (no database).

The deadline in most tests is Friday 20 Nov 2026; the default rules apply unless a test says.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from tests.factories.nudges import at
from tracker.actions.models import Phase
from tracker.nudges.models import NudgeKind
from tracker.nudges.policy import Facts, Rules, Sent, decide, next_check

FRI = date(2026, 11, 20)  # the deadline
MON, TUE, WED, THU = (FRI - timedelta(days=n) for n in (4, 3, 2, 1))
SAT, SUN = FRI + timedelta(days=1), FRI + timedelta(days=2)
NEXT = {name: FRI + timedelta(days=n) for name, n in
        (("mon", 3), ("tue", 4), ("wed", 5), ("thu", 6), ("fri", 7))}


def facts(**kw: object) -> Facts:
    base = Facts(item_id=1, phase=Phase.implementing, deadline=FRI,
                 assigned_at=datetime(2026, 10, 1, 9, tzinfo=UTC), work_plan_submitted=True,
                 owner_tz="UTC", lead_tz="UTC")
    return replace(base, **kw)  # type: ignore[arg-type]


def kind_slot(f: Facts, now: datetime) -> tuple[str, str] | None:
    d = decide(f, now)
    return None if d is None else (d.kind.value, d.slot)


def sent(kind: NudgeKind, slot: str, when: datetime) -> Sent:
    return Sent(kind, slot, when)


# --- before, on and after the deadline ---------------------------------------------------------

def test_before_due_reminder_two_days_ahead_once() -> None:
    assert kind_slot(facts(), at(TUE)) is None  # 3 days before: nothing yet
    assert kind_slot(facts(), at(WED)) == ("before_due", "2026-11-20")
    after = facts(sent=(sent(NudgeKind.before_due, "2026-11-20", at(WED)),))
    assert kind_slot(after, at(WED, 15)) is None  # one per day
    assert kind_slot(after, at(THU)) is None  # and once per deadline


def test_due_day_reminder() -> None:
    assert kind_slot(facts(), at(FRI, 9)) == ("due_today", "2026-11-20")
    assert kind_slot(facts(rules=Rules(remind_on_due_day=False)), at(FRI, 9)) is None


def test_overdue_cadence_counts_from_the_last_reminder_sent() -> None:
    mon = NEXT["mon"]  # Sat and Sun are skipped: the first overdue reminder goes out Monday
    assert kind_slot(facts(), at(SAT)) is None
    assert kind_slot(facts(), at(mon)) == ("overdue", mon.isoformat())
    f = facts(sent=(sent(NudgeKind.overdue, mon.isoformat(), at(mon)),))
    assert kind_slot(f, at(NEXT["tue"])) is None  # every 2 days
    # Wednesday is 5 days overdue: the escalation goes out instead of the owner's reminder.
    assert kind_slot(f, at(NEXT["wed"])) == ("escalation", "overdue:2026-11-20")
    f = replace(f, sent=(*f.sent, sent(NudgeKind.escalation, "overdue:2026-11-20", at(NEXT["wed"]))))
    assert kind_slot(f, at(NEXT["thu"])) is None  # the escalation counts in the cadence
    assert kind_slot(f, at(NEXT["fri"])) == ("overdue", NEXT["fri"].isoformat())


def test_escalation_goes_to_the_lead_once_per_deadline() -> None:
    d = decide(facts(), at(NEXT["wed"]))
    assert d is not None and d.kind is NudgeKind.escalation and d.to_lead
    moved = facts(deadline=NEXT["wed"])  # a new deadline: a new escalation when it is late again
    assert decide(moved, at(NEXT["wed"])).kind is NudgeKind.due_today  # type: ignore[union-attr]


def test_after_downtime_only_what_is_due_now() -> None:
    # Six days overdue and nothing ever sent: one escalation, not the missed reminders.
    assert kind_slot(facts(), at(NEXT["thu"])) == ("escalation", "overdue:2026-11-20")
    # A deadline of today found after the before-due day passed: only the due-day reminder.
    assert kind_slot(facts(), at(FRI, 16)) == ("due_today", "2026-11-20")


def test_work_plan_reminder_three_days_after_assignment() -> None:
    f = facts(work_plan_submitted=False, assigned_at=at(MON, 15), deadline=date(2026, 12, 31))
    assert kind_slot(f, at(WED)) is None
    assert kind_slot(f, at(THU)) == ("work_plan", "2026-11-16T15:00")
    assert kind_slot(replace(f, work_plan_submitted=True), at(THU)) is None
    assert kind_slot(replace(f, rules=Rules(work_plan_after_days=0)), at(THU)) is None
    # A more urgent reminder wins the day; the work-plan one waits for the next free day.
    urgent = replace(f, deadline=FRI)
    assert kind_slot(urgent, at(FRI)) == ("due_today", "2026-11-20")
    done_today = replace(urgent, sent=(sent(NudgeKind.due_today, "2026-11-20", at(FRI)),))
    assert kind_slot(done_today, at(NEXT["mon"])) == ("overdue", NEXT["mon"].isoformat())


# --- snoozes -----------------------------------------------------------------------------------

def test_snoozed_item_waits_until_the_snooze_ends() -> None:
    f = facts(snoozes=1, snoozed_until=at(WED, 14))
    assert decide(f, at(WED, 10)) is None
    assert kind_slot(f, at(WED, 14)) == ("before_due", "2026-11-20")
    assert next_check(f, at(WED, 10)) == at(WED, 14)


def test_past_the_snooze_limit_the_next_reminder_is_an_escalation() -> None:
    f = facts(snoozes=2, snoozed_until=at(WED, 9))
    d = decide(f, at(WED, 10))
    assert d is not None and (d.kind, d.slot, d.to_lead) == (NudgeKind.escalation, "snoozed:2026-11-20", True)
    after = replace(f, sent=(sent(NudgeKind.escalation, "snoozed:2026-11-20", at(WED)),))
    assert kind_slot(after, at(FRI)) == ("due_today", "2026-11-20")  # the owner hears again
    assert kind_slot(facts(snoozes=1), at(WED)) == ("before_due", "2026-11-20")  # under the limit


# --- working hours, timezones, weekends ----------------------------------------------------------

def test_working_hours_in_the_owners_timezone_tokyo_vs_new_york() -> None:
    instant = at(WED, 9, "Asia/Tokyo")  # 00:00 UTC Wednesday = 19:00 Tuesday in New York
    tokyo, new_york = facts(owner_tz="Asia/Tokyo"), facts(owner_tz="America/New_York")
    assert kind_slot(tokyo, instant) == ("before_due", "2026-11-20")
    assert decide(new_york, instant) is None
    assert next_check(new_york, instant) == at(WED, 9, "America/New_York")
    assert decide(tokyo, at(WED, 17, "Asia/Tokyo")) is None  # 17:00 is after hours
    assert decide(tokyo, at(WED, 8, "Asia/Tokyo") + timedelta(minutes=59)) is None


def test_escalation_waits_for_the_leads_working_hours() -> None:
    f = facts(owner_tz="Asia/Tokyo", lead_tz="America/New_York")
    wed = NEXT["wed"]  # 5 days overdue
    morning_tokyo = at(wed, 10, "Asia/Tokyo")  # Tuesday evening in New York: 4 days there
    assert kind_slot(f, morning_tokyo) == ("overdue", wed.isoformat())
    owner_told = replace(f, sent=(sent(NudgeKind.overdue, wed.isoformat(), morning_tokyo),))
    when = next_check(owner_told, morning_tokyo)
    assert when is not None
    d = decide(owner_told, when)
    assert d is not None and d.kind is NudgeKind.escalation
    local = when.astimezone(__import__("zoneinfo").ZoneInfo("America/New_York"))
    assert 9 <= local.hour < 17 and local.weekday() < 5


def test_weekends_are_skipped_unless_the_team_works_them() -> None:
    assert decide(facts(), at(SAT)) is None and decide(facts(), at(SUN)) is None
    seven_days = facts(rules=Rules(skip_weekends=False))
    assert kind_slot(seven_days, at(SAT)) == ("overdue", SAT.isoformat())
    assert next_check(facts(), at(SAT)) == at(NEXT["mon"], 9)


def test_team_policy_overrides_the_defaults() -> None:
    early = facts(rules=Rules(days_before_due=4, workday_start_hour=7, workday_end_hour=12))
    assert kind_slot(early, at(MON, 7)) == ("before_due", "2026-11-20")
    assert decide(early, at(MON, 12)) is None


# --- closed and blocked items --------------------------------------------------------------------

def test_done_and_cancelled_items_are_never_nudged() -> None:
    for phase in (Phase.done, Phase.cancelled):
        f = facts(phase=phase)
        assert all(decide(f, at(day)) is None for day in (WED, FRI, NEXT["mon"], NEXT["thu"]))
        assert next_check(f, at(WED)) is None


def test_blocked_items_get_no_reminders_but_still_escalate() -> None:
    f = facts(phase=Phase.blocked)
    assert decide(f, at(WED)) is None and decide(f, at(FRI)) is None and decide(f, at(NEXT["mon"])) is None
    assert next_check(f, at(WED)) == at(NEXT["wed"], 9)
    assert kind_slot(f, at(NEXT["wed"])) == ("escalation", "overdue:2026-11-20")
    escalated = replace(f, sent=(sent(NudgeKind.escalation, "overdue:2026-11-20", at(NEXT["wed"])),))
    assert next_check(escalated, at(NEXT["wed"])) is None  # until it is unblocked


# --- next_check ------------------------------------------------------------------------------------

def test_next_check_walks_the_reminders() -> None:
    f = facts()
    assert next_check(f, at(MON)) == at(WED, 9)
    f = replace(f, sent=(sent(NudgeKind.before_due, "2026-11-20", at(WED)),))
    assert next_check(f, at(WED)) == at(FRI, 9)
    f = replace(f, sent=(*f.sent, sent(NudgeKind.due_today, "2026-11-20", at(FRI))))
    assert next_check(f, at(FRI)) == at(NEXT["mon"], 9)
    far = facts(deadline=date(2028, 3, 1))
    assert next_check(far, at(MON)) == at(date(2028, 2, 28), 9)  # 2 days before a Wednesday (leap year)
