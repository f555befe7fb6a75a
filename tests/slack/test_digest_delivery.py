"""`slack.digest`: the team's channel, the CX leads' DMs, once; failures recorded on the row."""

from __future__ import annotations

from sqlalchemy.orm import Session

from integrations.slack.emulator import SlackEmulator
from tests import factories
from tests.factories.slack import SlackWorld
from tests.slack.conftest import TOKEN, Clock, drain, outbox
from tracker.digests.models import DigestDelivery, DigestState
from tracker.digests.service import queue_digest
from tracker.outbox.models import OutboxState
from tracker.people.models import Role
from tracker.worker.runner import Worker

WEEK = "2026-W47"


def _delivery(session: Session, delivery_id: int) -> DigestDelivery:
    session.expire_all()
    found = session.get(DigestDelivery, delivery_id)
    assert found is not None
    return found


def test_team_digest_is_posted_to_the_team_channel_once(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, session: Session
) -> None:
    world.item(days=-3, title="Late item")
    delivery = queue_digest(session, scope=f"team:{world.team.id}", week=WEEK)
    assert delivery is not None
    session.commit()
    assert queue_digest(session, scope=f"team:{world.team.id}", week=WEEK) is None  # claimed once
    worker.run_until_idle()
    sent = _delivery(session, delivery.id)
    assert sent.state is DigestState.sent and sent.sent_at is not None and sent.channel == world.channel_id
    [post] = emulator.messages_in_channel(world.channel_id)
    assert sent.slack_ts == post.ts and post.text.startswith(f"{world.team.name}: week {WEEK}")
    assert post.blocks and post.blocks[0]["type"] == "header"
    worker.run_until_idle()
    assert len(emulator.messages_in_channel(world.channel_id)) == 1


def test_programme_digest_goes_to_each_cx_lead_and_a_retry_skips_those_reached(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, clock: Clock, session: Session
) -> None:
    second = emulator.add_user("lead2", email="lead2@example.com")
    factories.person(session, Role.lead, name="Second Lead", email="lead2@example.com", slack_user_id=second.id)
    delivery = queue_digest(session, scope="programme", week=WEEK)
    assert delivery is not None
    session.commit()
    # The first lead's DM goes out; the second is refused once with internal_error.
    calls = {"n": 0}
    original = emulator.api.methods["chat.postMessage"]

    def second_call_fails(args):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            from integrations.slack.web_api import SlackError

            raise SlackError("internal_error")
        return original(args)

    emulator.api.methods["chat.postMessage"] = second_call_fails
    drain(worker, clock)
    assert _delivery(session, delivery.id).state is DigestState.sent
    assert len(emulator.messages_for_user(world.lead.slack_user_id or "")) == 1
    assert len(emulator.messages_for_user(second.id)) == 1
    assert calls["n"] == 3  # lead 1, lead 2 refused, lead 2 again: lead 1 not re-sent


def test_archived_channel_marks_the_digest_failed_with_the_reason(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, session: Session
) -> None:
    emulator.archive_channel(world.channel_id)
    delivery = queue_digest(session, scope=f"team:{world.team.id}", week=WEEK)
    assert delivery is not None
    session.commit()
    worker.run_until_idle()
    failed = _delivery(session, delivery.id)
    assert failed.state is DigestState.failed and "is_archived" in (failed.error or "")


def test_revoked_token_gives_the_digest_up(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, session: Session
) -> None:
    emulator.revoke_token(TOKEN)
    delivery = queue_digest(session, scope=f"team:{world.team.id}", week=WEEK)
    assert delivery is not None
    session.commit()
    worker.run_until_idle()
    assert "token_revoked" in (_delivery(session, delivery.id).error or "")
    assert outbox(session, "slack.digest")[0].state is OutboxState.dead
