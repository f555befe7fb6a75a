"""The sweep on a controlled clock: records each nudge once, never floods after downtime, and
costs a fixed number of statements whatever the number of items."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from tests.factories.nudges import at, bulk_items, crew, item
from tracker.actions.models import Phase
from tracker.nudges.models import Nudge, NudgeKind, NudgeSchedule, NudgeState
from tracker.nudges.schedule import backfill
from tracker.nudges.sweep import sweep
from tracker.outbox.models import OutboxMessage

MON = date(2026, 11, 23)
NOW = at(MON, 10)


def nudges(session: Session) -> list[Nudge]:
    return list(session.scalars(select(Nudge).order_by(Nudge.id)))


def outbox(session: Session) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "slack.nudge")
                                .order_by(OutboxMessage.id)))


@contextmanager
def count_statements(session: Session) -> Iterator[list[str]]:
    seen: list[str] = []
    engine = session.get_bind().engine  # type: ignore[union-attr]

    def before(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def test_records_once_with_its_outbox_message_and_moves_next_at(session: Session) -> None:
    owner, lead, team = crew(session)
    late = item(session, owner=owner, team=team, deadline=MON - timedelta(days=1), next_at=NOW)
    assert sweep(session, now=NOW) == 1
    [nudge] = nudges(session)
    assert (nudge.action_item_id, nudge.kind, nudge.slot, nudge.recipient_id, nudge.state) == (
        late.id, NudgeKind.overdue, "2026-11-23", owner.id, NudgeState.pending)
    [message] = outbox(session)
    assert message.payload == {"nudge_id": nudge.id} and message.ordering_key == f"nudge:{late.id}"
    schedule = session.get(NudgeSchedule, late.id)
    session.refresh(schedule)
    assert schedule.next_at == at(MON + timedelta(days=2), 9)  # overdue every 2 days
    # Again at the same moment: the row is not due; forced due: the slot is taken, nothing new.
    assert sweep(session, now=NOW) == 0
    session.execute(update(NudgeSchedule).values(next_at=NOW))
    assert sweep(session, now=NOW + timedelta(minutes=1)) == 0
    assert len(nudges(session)) == 1 and len(outbox(session)) == 1


def test_a_slot_recorded_elsewhere_is_not_recorded_again(session: Session) -> None:
    owner, _, team = crew(session)
    late = item(session, owner=owner, team=team, deadline=MON - timedelta(days=1), next_at=NOW)
    # Another worker recorded it a moment ago but this one decided from older history.
    session.add(Nudge(action_item_id=late.id, kind=NudgeKind.overdue, slot="2026-11-23",
                      recipient_id=owner.id, state=NudgeState.pending, created_at=NOW - timedelta(days=3)))
    session.flush()
    assert sweep(session, now=NOW) == 0
    assert len(nudges(session)) == 1 and outbox(session) == []


def test_escalation_goes_to_the_lead(session: Session) -> None:
    owner, lead, team = crew(session)
    item(session, owner=owner, team=team, deadline=MON - timedelta(days=5), next_at=NOW)
    assert sweep(session, now=NOW) == 1
    [nudge] = nudges(session)
    assert (nudge.kind, nudge.slot, nudge.recipient_id) == (NudgeKind.escalation, "overdue:2026-11-18", lead.id)


def test_after_six_hours_of_downtime_only_current_nudges(session: Session) -> None:
    owner, _, team = crew(session)
    stale = NOW - timedelta(hours=6)  # every row was due when the worker stopped
    six_late = item(session, owner=owner, team=team, deadline=MON - timedelta(days=6), next_at=stale)
    due_today = item(session, owner=owner, team=team, deadline=MON, next_at=stale)
    in_two_days = item(session, owner=owner, team=team, deadline=MON + timedelta(days=2), next_at=stale)
    far = item(session, owner=owner, team=team, deadline=MON + timedelta(days=30), next_at=stale)
    done = item(session, owner=owner, team=team, deadline=MON - timedelta(days=3), next_at=stale,
                phase=Phase.done)
    assert sweep(session, now=NOW) == 3
    got = {(n.action_item_id, n.kind) for n in nudges(session)}
    assert got == {(six_late.id, NudgeKind.escalation), (due_today.id, NudgeKind.due_today),
                   (in_two_days.id, NudgeKind.before_due)}
    rows = {r.action_item_id: r.next_at for r in session.scalars(select(NudgeSchedule))}
    assert rows[done.id] is None and rows[far.id] == at(MON + timedelta(days=28), 9)
    assert sweep(session, now=NOW + timedelta(minutes=1)) == 0


def test_nothing_outside_working_hours_but_the_row_moves_to_the_next_opening(session: Session) -> None:
    owner, _, team = crew(session, owner_tz="America/New_York")
    late = item(session, owner=owner, team=team, deadline=MON - timedelta(days=1), next_at=NOW)
    assert sweep(session, now=NOW) == 0  # 05:00 in New York
    row = session.get(NudgeSchedule, late.id)
    session.refresh(row)
    assert row.next_at == at(MON, 9, "America/New_York")
    assert sweep(session, now=row.next_at) == 1


def test_backfill_gives_open_items_a_due_schedule_row_once(session: Session) -> None:
    owner, _, team = crew(session)
    missing = item(session, owner=owner, team=team, deadline=MON, next_at=None)
    item(session, owner=owner, team=team, deadline=MON, next_at=None, phase=Phase.cancelled)
    assert backfill(session, now=NOW, batch=1) == 1
    assert backfill(session, now=NOW) == 0
    assert session.scalar(select(func.count()).select_from(NudgeSchedule)) == 1
    assert sweep(session, now=NOW) == 1 and nudges(session)[0].action_item_id == missing.id


def _statements_for_one_sweep(session: Session, count: int) -> tuple[int, int]:
    owner, _, team = crew(session)
    bulk_items(session, owner=owner, team=team, count=count, due=count // 100, now=NOW,
               overdue_deadline=MON - timedelta(days=1), future_deadline=MON + timedelta(days=60))
    with count_statements(session) as seen:
        recorded = sweep(session, now=NOW)
    session.rollback()  # the test transaction's savepoint: the next size starts empty
    return recorded, len(seen)


def test_statements_per_sweep_do_not_grow_with_the_items_stored(session: Session) -> None:
    small = _statements_for_one_sweep(session, 1_000)
    large = _statements_for_one_sweep(session, 5_000)
    assert small[0] == 10 and large[0] == 50
    assert small[1] == large[1] <= 6, (small, large)
