"""The demo programme: coherent, complete enough that every list and nudge has content."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.actions.models import (
    ActionItem,
    ChecklistEntry,
    NotificationStatus,
    Phase,
    ProgressUpdate,
    TrainingRecord,
)
from tracker.activity.models import ActivityEntry
from tracker.auth.service import authenticate_token
from tracker.config import PriorityWeights
from tracker.demo import load_demo, programme_is_empty
from tracker.errors import Conflict
from tracker.friction.models import Evidence, FrictionPoint
from tracker.investigations.models import Investigation
from tracker.journeys.models import JourneyMap, JourneyStep, MapKind
from tracker.moments import priority
from tracker.moments.models import MomentOfTruth
from tracker.types import utcnow


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_demo_has_maps_friction_and_prioritized_moments(session: Session) -> None:
    assert programme_is_empty(session)
    load_demo(session)
    assert not programme_is_empty(session)

    maps = session.scalars(select(JourneyMap)).all()
    assert {m.kind for m in maps} == {MapKind.customer, MapKind.employee}
    assert _count(session, FrictionPoint) >= 12
    # Every friction point has evidence, and the emotion curve dips where friction sits.
    with_evidence = session.scalar(select(func.count(func.distinct(Evidence.friction_point_id))))
    assert with_evidence == _count(session, FrictionPoint)
    scores_at_friction = session.scalars(
        select(JourneyStep.emotion_score).join(FrictionPoint, FrictionPoint.step_id == JourneyStep.id)
    ).all()
    assert max(scores_at_friction) <= 0

    moments = session.scalars(select(MomentOfTruth)).all()
    assert len(moments) >= 4
    weights = priority.Weights.of(PriorityWeights())
    for m in moments:
        assert m.score == priority.score(priority.factors_of(m), weights)
    assert len({m.score for m in moments}) == len(moments)  # the order is meaningful
    pinned = [m for m in moments if m.rank_override is not None]
    assert len(pinned) == 1 and pinned[0].rank_override_reason


def test_demo_action_items_cover_every_phase_and_deadline_list(session: Session) -> None:
    load_demo(session)
    items = session.scalars(select(ActionItem)).all()
    assert {i.phase for i in items} == set(Phase)
    today = utcnow().date()
    open_items = [i for i in items if i.phase not in (Phase.done, Phase.cancelled)]
    assert any(i.deadline < today for i in open_items), "the overdue list needs content"
    assert any(today <= i.deadline <= today + timedelta(days=7) for i in open_items)
    assert sum(1 for i in items if i.work_plan) > len(items) / 2
    blocked = next(i for i in items if i.phase is Phase.blocked)
    assert blocked.blocked_reason and blocked.phase_before_block is Phase.implementing
    done = next(i for i in items if i.phase is Phase.done)
    assert done.completed_at is not None
    assert _count(session, ProgressUpdate) >= len(items) / 2
    assert session.scalar(select(func.count()).where(Investigation.root_cause.is_not(None))) >= 2

    partial = session.scalars(select(TrainingRecord).where(TrainingRecord.needed)).all()
    assert any(0 < t.people_trained < t.target_count for t in partial)

    # Every item's history starts with its creation.
    created = set(session.scalars(select(ActivityEntry.action_item_id).where(
        ActivityEntry.entity_type == "action_item", ActivityEntry.action == "created")))
    assert created == {i.id for i in items}


def test_demo_checklist_is_half_worked(session: Session) -> None:
    load_demo(session)
    closing = session.scalars(select(ActionItem).where(ActionItem.phase == Phase.closing_loop)).one()
    entries = session.scalars(
        select(ChecklistEntry).where(ChecklistEntry.action_item_id == closing.id)).all()
    statuses = Counter(e.status for e in entries)
    assert statuses[NotificationStatus.pending] >= 1
    assert statuses[NotificationStatus.notified] + statuses[NotificationStatus.acknowledged] >= 2
    assert statuses[NotificationStatus.unreachable] == 1
    for e in entries:  # every attempt says when and by whom, as the checklist service stamps
        attempted = e.status is not NotificationStatus.pending
        assert (e.notified_at is not None) == attempted == (e.notified_by_id is not None)
        assert e.affected_customer_id is not None


def test_demo_logins_work_for_each_role(session: Session) -> None:
    logins = load_demo(session)
    assert [login.role for login in logins] == ["lead", "owner", "viewer", "admin"]
    for login in logins:
        person, _ = authenticate_token(session, login.token)
        assert person.email == login.email and person.role.value == login.role


def test_demo_refuses_to_load_twice(session: Session) -> None:
    load_demo(session)
    maps = _count(session, JourneyMap)
    with pytest.raises(Conflict, match="already exist"):
        load_demo(session)
    assert _count(session, JourneyMap) == maps


def test_demo_is_readable_through_the_api(session: Session, client: TestClient) -> None:
    """Every demo row fits the API's response models, and the lists a newcomer opens first
    (overdue items, the priority order) have content."""
    logins = {login.role: login.token for login in load_demo(session)}
    session.commit()  # a savepoint release: visible to the app's session
    viewer = {"Authorization": f"Bearer {logins['viewer']}"}
    r = client.get("/people", params={"limit": 50}, headers=viewer)
    assert r.status_code == 200, r.text
    assert len(r.json()["items"]) == 10

    r = client.get("/moments", headers=viewer)
    assert r.status_code == 200, r.text
    assert r.json()["items"][0]["rank_override"] == 1  # the pinned moment leads the order
    r = client.get("/action-items", params={"overdue": "true"}, headers=viewer)
    assert r.status_code == 200, r.text
    assert r.json()["items"]
    for item in session.scalars(select(ActionItem.id)):
        for suffix in ("", "/updates", "/training", "/checklist", "/activity"):
            r = client.get(f"/action-items/{item}{suffix}", headers=viewer)
            assert r.status_code == 200, (suffix, r.text)
    for jmap in session.scalars(select(JourneyMap.id)):
        assert client.get(f"/journey-maps/{jmap}", headers=viewer).status_code == 200
