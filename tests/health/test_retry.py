"""Retrying given-up messages: back in the queue with attempts reset, what giving up marked is
undone (a broken link resumes, a failed reminder is pending again), and the activity log says who."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from tests.factories.health import HealthWorld, message
from tracker.activity.models import ActivityEntry
from tracker.digests.models import DigestDelivery, DigestState
from tracker.errors import Conflict, Forbidden, NotFound
from tracker.health.retry import retry_all, retry_message
from tracker.nudges.models import NudgeState
from tracker.outbox.models import OutboxMessage, OutboxState
from tracker.people.models import Role
from tracker.slack.outbound import DIGEST_KIND, REFRESH_KIND
from tracker.sync.models import LinkState
from tracker.sync.service import SYNC_KIND, link_for
from tracker.types import utcnow


def _entries(session: Session, action: str) -> list[ActivityEntry]:
    return list(session.scalars(select(ActivityEntry).where(ActivityEntry.action == action).order_by(ActivityEntry.id)))


def test_a_given_up_ticket_sync_is_queued_again_and_its_link_resumed(session: Session) -> None:
    world = HealthWorld.build(session, utcnow())
    done = retry_message(session, actor=world.lead, message_id=world.dead_sync.id, now=world.now)
    assert (done.kind, done.item_id, done.link_resumed) == (SYNC_KIND, world.broken.id, True)
    m = session.get(OutboxMessage, world.dead_sync.id)
    assert m is not None
    assert (m.state, m.attempts, m.last_error, m.completed_at, m.available_at) == (
        OutboxState.pending, 0, None, None, world.now)
    link = link_for(session, world.broken.id)
    assert link is not None and link.state is LinkState.linked and link.broken_reason is None
    # The resume's own sync folded into the retried message: one message, not two.
    pending = session.scalars(select(OutboxMessage.id).where(
        OutboxMessage.kind == SYNC_KIND, OutboxMessage.state == OutboxState.pending,
        OutboxMessage.ordering_key == f"item:{world.broken.id}")).all()
    assert pending == [m.id]
    [retried] = _entries(session, "retried")
    assert (retried.entity_type, retried.entity_id, retried.actor_id, retried.action_item_id) == (
        "outbox_message", m.id, world.lead.id, world.broken.id)
    assert retried.changes["attempts"] == 3 and "503" in retried.changes["last_error"]
    assert retried.changes["link_resumed"] is True
    assert [e.action_item_id for e in _entries(session, "resumed")] == [world.broken.id]


def test_a_given_up_reminder_is_pending_again(session: Session) -> None:
    world = HealthWorld.build(session, utcnow())
    done = retry_message(session, actor=world.lead, message_id=world.dead_nudge.id, now=world.now)
    assert (done.item_id, done.link_resumed) == (world.linked.id, False)
    session.refresh(world.nudge)
    assert (world.nudge.state, world.nudge.error) == (NudgeState.pending, None)


def test_a_failed_digest_is_pending_again(session: Session) -> None:
    world = HealthWorld.build(session, utcnow())
    delivery = DigestDelivery(scope="programme", week="2026-W48", state=DigestState.failed, error="invalid_auth")
    session.add(delivery)
    session.flush()
    dead = message(session, kind=DIGEST_KIND, payload={"delivery_id": delivery.id}, state=OutboxState.dead,
                   created=world.now, completed=world.now, attempts=1, error="invalid_auth")
    retry_message(session, actor=world.lead, message_id=dead.id, now=world.now)
    assert (delivery.state, delivery.error) == (DigestState.pending, None)


def test_retry_all_takes_every_given_up_message(session: Session) -> None:
    world = HealthWorld.build(session, utcnow())
    extra = message(session, kind=REFRESH_KIND, payload={"channel": "C1", "ts": "1.0", "item_id": world.linked.id,
                                                         "kind": "overdue", "note": None},
                    state=OutboxState.dead, created=world.now, completed=world.now, attempts=5, error="5xx")
    first = retry_all(session, actor=world.lead, now=world.now, limit=2)
    assert [r.message_id for r in first.retried] == [world.dead_sync.id, world.dead_nudge.id]
    assert first.still_dead == 1
    second = retry_all(session, actor=world.lead, now=world.now)
    assert [r.message_id for r in second.retried] == [extra.id] and second.still_dead == 0
    assert len(_entries(session, "retried")) == 3


def test_only_a_given_up_message_can_be_retried(session: Session) -> None:
    world = HealthWorld.build(session, utcnow())
    with pytest.raises(Conflict, match="is pending, not given up") as refused:
        retry_message(session, actor=world.lead, message_id=world.waiting.id, now=world.now)
    assert refused.value.field == "message_id"
    with pytest.raises(NotFound, match="outbox message 2147483000"):
        retry_message(session, actor=world.lead, message_id=2147483000, now=world.now)


@pytest.mark.parametrize("role", [Role.owner, Role.viewer])
def test_owners_and_viewers_cannot_retry(session: Session, role: Role) -> None:
    world = HealthWorld.build(session, utcnow())
    someone = factories.person(session, role)
    with pytest.raises(Forbidden):
        retry_message(session, actor=someone, message_id=world.dead_sync.id, now=world.now)
    with pytest.raises(Forbidden):
        retry_all(session, actor=someone, now=world.now + timedelta(seconds=1))
    assert session.get(OutboxMessage, world.dead_sync.id).state is OutboxState.dead  # type: ignore[union-attr]
