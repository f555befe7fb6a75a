"""A past week's "overdue at the end" keeps its figure when a deadline moves or an item reopens.

Today is Wednesday 25 November 2026 (2026-W48); the twelve weeks are 2026-W37 to 2026-W48.
Week ends (Sundays) that matter here: W40 4 Oct, W41 11 Oct, W42 18 Oct, W43 25 Oct, W44 1 Nov,
W45 8 Nov, W46 15 Nov, W47 22 Nov. Histories are written through the ORM with the time of each
change as the item's `updated_at`, as a flush of the services writes them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from tests.factories.actions import action_item
from tests.factories.digests import item
from tests.factories.nudges import at
from tracker.actions import service
from tracker.actions.models import ActionItem
from tracker.actions.models import Phase as P
from tracker.actions.spans import OpenSpan
from tracker.overview.weeks import weekly_figures
from tracker.people.models import Person, Role, Team
from tracker.types import utcnow

TODAY = date(2026, 11, 25)
CREATED = at(date(2026, 9, 1))


def overdue(session: Session) -> dict[str, int]:
    """Week number -> overdue at its end, for the weeks with any."""
    return {w.week[-2:]: w.overdue_at_end for w in weekly_figures(session, today=TODAY) if w.overdue_at_end}


def change(session: Session, obj: ActionItem, when: datetime, **values: Any) -> None:
    for name, value in values.items():
        setattr(obj, name, value)
    obj.updated_at = when
    session.flush()


@pytest.fixture
def crew(session: Session) -> tuple[Team, Person]:
    return factories.team(session), factories.person(session, Role.owner)


def test_a_deadline_moved_later_leaves_the_weeks_it_was_overdue(session: Session, crew: tuple[Team, Person]) -> None:
    obj = item(session, *crew, "Moved later", P.implementing, date(2026, 10, 28), created_at=CREATED)
    assert overdue(session) == {"44": 1, "45": 1, "46": 1, "47": 1, "48": 1}
    # Tuesday 10 Nov (W46): after two weeks overdue, the lead gives it until 15 December.
    change(session, obj, at(date(2026, 11, 10)), deadline=date(2026, 12, 15))
    assert overdue(session) == {"44": 1, "45": 1}


def test_a_deadline_moved_earlier_counts_from_the_move_only(session: Session, crew: tuple[Team, Person]) -> None:
    obj = item(session, *crew, "Moved earlier", P.planned, date(2026, 12, 20), created_at=CREATED)
    assert overdue(session) == {}
    # Tuesday 3 Nov (W45): the deadline is pulled in to 30 October, already past. At the end of
    # W44 the item was due in December: that week stays clean.
    change(session, obj, at(date(2026, 11, 3)), deadline=date(2026, 10, 30))
    assert overdue(session) == {"45": 1, "46": 1, "47": 1, "48": 1}


def test_moved_twice_in_one_week_only_the_deadline_at_its_end_counts(session: Session,
                                                                     crew: tuple[Team, Person]) -> None:
    obj = item(session, *crew, "Twice", P.planned, date(2026, 12, 20), created_at=CREATED)
    change(session, obj, at(date(2026, 11, 2)), deadline=date(2026, 10, 30))  # Monday of W45
    change(session, obj, at(date(2026, 11, 4)), deadline=date(2026, 11, 30))  # Wednesday of W45
    assert overdue(session) == {}


def test_a_reopened_item_is_not_overdue_while_it_was_done(session: Session, crew: tuple[Team, Person]) -> None:
    obj = item(session, *crew, "Reopened", P.closing_loop, date(2026, 10, 1), created_at=CREATED)
    change(session, obj, at(date(2026, 10, 14)), phase=P.done, completed_at=at(date(2026, 10, 14)))  # W42
    assert overdue(session) == {"40": 1, "41": 1}
    change(session, obj, at(date(2026, 11, 4)), phase=P.implementing, completed_at=None)  # W45
    assert overdue(session) == {"40": 1, "41": 1, "45": 1, "46": 1, "47": 1, "48": 1}


def test_a_cancelled_item_stays_in_the_weeks_it_was_overdue(session: Session, crew: tuple[Team, Person]) -> None:
    obj = item(session, *crew, "Dropped late", P.planned, date(2026, 10, 1), created_at=CREATED)
    change(session, obj, at(date(2026, 10, 20)), phase=P.cancelled)  # W43
    assert overdue(session) == {"40": 1, "41": 1, "42": 1}
    change(session, obj, at(date(2026, 11, 17)), phase=P.planned)  # reinstated in W47
    assert overdue(session) == {"40": 1, "41": 1, "42": 1, "47": 1, "48": 1}


def test_a_closed_items_deadline_edit_changes_no_week(session: Session, crew: tuple[Team, Person]) -> None:
    obj = item(session, *crew, "Done late", P.done, date(2026, 10, 1), created_at=CREATED,
               completed_at=at(date(2026, 10, 21)))  # W43
    assert overdue(session) == {"40": 1, "41": 1, "42": 1}
    change(session, obj, at(date(2026, 11, 10)), deadline=date(2026, 12, 31))
    assert overdue(session) == {"40": 1, "41": 1, "42": 1}
    # Reopened in W47 under the new deadline: not overdue.
    change(session, obj, at(date(2026, 11, 17)), phase=P.implementing, completed_at=None)
    assert overdue(session) == {"40": 1, "41": 1, "42": 1}


def test_histories_add_up(session: Session, crew: tuple[Team, Person]) -> None:
    """The three stories together: each week is the sum of its items, nothing counted twice."""
    later = item(session, *crew, "Moved later", P.implementing, date(2026, 10, 28), created_at=CREATED)
    earlier = item(session, *crew, "Moved earlier", P.planned, date(2026, 12, 20), created_at=CREATED)
    reopened = item(session, *crew, "Reopened", P.closing_loop, date(2026, 10, 1), created_at=CREATED)
    change(session, later, at(date(2026, 11, 10)), deadline=date(2026, 12, 15))
    change(session, earlier, at(date(2026, 11, 3)), deadline=date(2026, 10, 30))
    change(session, reopened, at(date(2026, 10, 14)), phase=P.done, completed_at=at(date(2026, 10, 14)))
    change(session, reopened, at(date(2026, 11, 4)), phase=P.implementing, completed_at=None)
    assert overdue(session) == {"40": 1, "41": 1, "44": 1, "45": 3, "46": 2, "47": 2, "48": 2}
    # The running week is today's overdue list: the two open items past their deadline now.
    assert overdue(session)["48"] == 2


def spans(session: Session, obj: ActionItem) -> list[tuple[date, bool]]:
    """(deadline, still running) of an item's spans, oldest first."""
    rows = session.execute(select(OpenSpan.deadline, OpenSpan.ended_at).where(OpenSpan.action_item_id == obj.id)
                           .order_by(OpenSpan.started_at, OpenSpan.id)).all()
    return [(d, e is None) for d, e in rows]


def test_the_services_keep_the_spans(session: Session) -> None:
    """Through the real service functions: moves, edits that change nothing, done, reopen, cancel."""
    lead = factories.person(session, Role.lead)
    first, moved = date.today() + timedelta(days=14), date.today() + timedelta(days=30)
    obj = action_item(session, lead=lead, deadline=first.isoformat())
    assert spans(session, obj) == [(first, True)]

    service.update_action_item(session, actor=lead, item_id=obj.id, expected_version=None,
                               data={"deadline": moved.isoformat(), "title": "Renamed"})
    service.update_action_item(session, actor=lead, item_id=obj.id, expected_version=None,
                               data={"title": "Renamed again", "priority": "high"})
    assert spans(session, obj) == [(first, False), (moved, True)]
    ended = session.scalars(select(OpenSpan.ended_at).where(OpenSpan.action_item_id == obj.id,
                                                            OpenSpan.deadline == first)).one()
    assert ended is not None and abs((utcnow() - ended).total_seconds()) < 60

    service.change_phase(session, actor=lead, item_id=obj.id, to=P.implementing, expected_version=None)
    assert spans(session, obj) == [(first, False), (moved, True)]  # still open, same deadline
    service.change_phase(session, actor=lead, item_id=obj.id, to=P.cancelled, expected_version=None,
                         reason="not needed")
    assert spans(session, obj) == [(first, False), (moved, False)]
    service.update_action_item(session, actor=lead, item_id=obj.id, expected_version=None,
                               data={"deadline": first.isoformat()})
    assert spans(session, obj) == [(first, False), (moved, False)]  # closed: nothing starts
    service.change_phase(session, actor=lead, item_id=obj.id, to=P.planned, expected_version=None)
    assert spans(session, obj) == [(first, False), (moved, False), (first, True)]


def test_done_ends_the_span_at_the_completion_time(session: Session) -> None:
    lead = factories.person(session, Role.lead)
    obj = action_item(session, lead=lead)
    for phase in (P.implementing, P.closing_loop, P.done):
        service.change_phase(session, actor=lead, item_id=obj.id, to=phase, expected_version=None)
    span = session.scalars(select(OpenSpan).where(OpenSpan.action_item_id == obj.id)).one()
    assert span.ended_at == obj.completed_at and span.started_at == obj.created_at
    service.change_phase(session, actor=lead, item_id=obj.id, to=P.implementing, expected_version=None)
    assert spans(session, obj) == [(obj.deadline, False), (obj.deadline, True)]
