"""The lead's "couldn't reach the owner" card follows the item like every posted nudge: it says
when the owner was reached, who owns the item now, or how it closed, with buttons that still work.

Real app over HTTP, real worker, real slack-sdk against the Slack emulator.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from integrations.slack.emulator import SlackEmulator
from integrations.slack.workspace import Message
from tests import factories
from tests.factories.slack import SlackWorld
from tests.slack.conftest import Clock, Relay, apply_clicks, drain, outbox
from tests.slack.test_refresh import Api, _button_labels, _buttons, _current, _updates
from tracker.actions.models import ActionItem
from tracker.nudges.models import Nudge, NudgePost, NudgeState, PostRole
from tracker.nudges.posts import posts_of
from tracker.worker.runner import Worker


@pytest.fixture
def lead_api(world: SlackWorld, slack_client: TestClient, session: Session) -> Callable[[ActionItem], Api]:
    """The tracker's HTTP API as the lead uses it (the item's changes go through its listeners)."""
    headers = factories.auth_headers(session, world.lead)

    def make(item: ActionItem) -> Api:
        session.refresh(item)
        return Api(slack_client, headers, item)

    return make


def _unreachable_owner(world: SlackWorld, session: Session) -> str:
    """The owner has no Slack id and an email Slack does not know; returns their real Slack id."""
    slack_id = world.owner.slack_user_id or ""
    world.owner.slack_user_id = None
    world.owner.email = f"not-in-slack-{world.owner.id}@example.com"
    session.commit()
    return slack_id


def _failed_nudge_and_notice(world: SlackWorld, worker: Worker, session: Session,
                             item: ActionItem) -> tuple[Nudge, Message]:
    nudge = world.nudge(item)
    worker.run_until_idle()
    failed = world.refreshed(nudge)
    assert failed.state is NudgeState.failed
    [card] = world.emulator.messages_for_user(world.lead.slack_user_id or "")
    assert card.text.startswith("Couldn't reach Ana Silva on Slack")
    return failed, card


def test_the_card_is_kept_as_a_notice_of_the_failed_nudge(
    world: SlackWorld, worker: Worker, session: Session
) -> None:
    _unreachable_owner(world, session)
    item = world.item()
    failed, card = _failed_nudge_and_notice(world, worker, session, item)
    assert posts_of(session, failed.id) == [(card.channel, card.ts)]
    post = session.scalars(select(NudgePost).where(NudgePost.nudge_id == failed.id)).one()
    assert post.role == PostRole.notice
    # The failed nudge itself still has no message of its own (a retry must still send it).
    assert failed.slack_ts is None and failed.slack_channel is None
    assert "users_not_found" in json.dumps(card.blocks)


def test_a_later_nudge_that_reaches_the_owner_updates_the_lead_s_card_once(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, session: Session
) -> None:
    slack_id = _unreachable_owner(world, session)
    item = world.item()
    _, card = _failed_nudge_and_notice(world, worker, session, item)
    assert "Mark implementing" in _button_labels(card)

    world.owner.slack_user_id = slack_id  # the owner's Slack identity is fixed on their profile
    session.commit()
    reached = world.nudge(item)
    worker.run_until_idle()
    assert world.refreshed(reached).state is NudgeState.sent
    assert len(emulator.messages_for_user(slack_id)) == 1

    shown = _current(emulator, card)
    assert _updates(emulator, card) == 1
    assert not shown.text.startswith("Couldn't reach")
    assert shown.text.startswith("Overdue by 3 days")
    assert "Ana Silva was reached on Slack on" in json.dumps(shown.blocks)
    # The item is still open: the lead's buttons are the item's, as it stands.
    assert _buttons(shown) == ["advance", "update", "snooze"]
    assert "Mark implementing" in _button_labels(shown)

    # Reached already: the next reminder leaves the lead's card alone.
    world.nudge(item)
    worker.run_until_idle()
    assert _updates(emulator, card) == 1
    assert len(emulator.messages_for_user(slack_id)) == 2


def test_reassigning_the_item_updates_the_lead_s_card(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, session: Session,
    lead_api: Callable[[ActionItem], Api],
) -> None:
    _unreachable_owner(world, session)
    item = world.item()
    _, card = _failed_nudge_and_notice(world, worker, session, item)
    lead_api(item).edit(owner_id=world.other_owner.id)
    worker.run_until_idle()
    shown = _current(emulator, card)
    assert _updates(emulator, card) == 1
    assert not shown.text.startswith("Couldn't reach")
    text = json.dumps(shown.blocks)
    assert "Ben Weber owns this item now (Ana Silva could not be reached on Slack)" in text
    assert "Mark implementing" in _button_labels(shown)  # the lead can still act on the item


def test_closing_the_item_updates_the_lead_s_card_and_takes_its_buttons(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, session: Session,
    lead_api: Callable[[ActionItem], Api],
) -> None:
    _unreachable_owner(world, session)
    item = world.item()
    _, card = _failed_nudge_and_notice(world, worker, session, item)
    lead_api(item).finish()
    worker.run_until_idle()
    shown = _current(emulator, card)
    assert _updates(emulator, card) == 1  # many changes, one chat.update
    assert shown.text.startswith("Done")
    assert "Maya Okafor" in json.dumps(shown.blocks)
    assert _buttons(shown) == []


def test_a_click_on_the_card_applies_and_redraws_it_still_saying_who_was_not_reached(
    world: SlackWorld, emulator: SlackEmulator, worker: Worker, session: Session, relay: Relay,
    clock: Clock,
) -> None:
    _unreachable_owner(world, session)
    item = world.item()
    _, card = _failed_nudge_and_notice(world, worker, session, item)
    delivery = emulator.click(card.channel, card.ts, "advance", user_id=world.lead.slack_user_id or "")
    assert delivery.ok, delivery
    apply_clicks(worker)
    drain(worker, clock, rounds=1)
    session.expire_all()
    assert session.get(ActionItem, item.id).phase.value == "implementing"
    shown = _current(emulator, card)
    assert shown.text.startswith("Couldn't reach Ana Silva on Slack")
    assert "Marked implementing by Maya Okafor" in json.dumps(shown.blocks)
    assert "Mark implementing" not in _button_labels(shown)  # the buttons moved on with the item
    assert outbox(session, "slack.refresh")[-1].payload["ts"] == card.ts
