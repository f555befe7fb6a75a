"""`/tracker mine | overdue | help` through the emulator's signed slash-command delivery."""

from __future__ import annotations

from sqlalchemy.orm import Session

from integrations.slack.emulator import SlackEmulator
from tests.factories.slack import SlackWorld
from tests.slack.conftest import Relay


def _reply(emulator: SlackEmulator, user_id: str | None, text: str) -> str:
    delivery = emulator.slash_command(user_id or "", text)
    assert delivery.ok, delivery
    # Slack shows the immediate answer as an ephemeral message; read it back with its blocks.
    shown = emulator.ephemeral_for_user(user_id or "")[-1]
    return shown.text + "\n" + "\n".join(b["text"]["text"] for b in shown.blocks or [] if "text" in b)


def test_mine_lists_the_callers_open_items_only(
    world: SlackWorld, emulator: SlackEmulator, relay: Relay, session: Session
) -> None:
    from tracker.actions.service import change_phase

    soon = world.item(days=1, title="Fix the VAT line")
    late = world.item(days=-4, title="Rewrite the dunning email")
    cancelled = world.item(days=2, title="Cancelled thing")
    change_phase(session, actor=world.lead, item_id=cancelled.id, to="cancelled", expected_version=None,
                 reason="duplicate")
    world.item(owner=world.other_owner, title="Someone else's item")
    session.commit()
    text = _reply(emulator, world.owner.slack_user_id, "mine")
    assert text.startswith("Your open action items: 2")
    assert text.index("Rewrite the dunning email") < text.index("Fix the VAT line")  # by deadline
    assert "overdue by 4 days" in text and "due in 1 day" in text
    assert f"http://tracker.test/action-items/{soon.id}" in text and str(late.id) in text
    assert "Cancelled thing" not in text and "Someone else's item" not in text


def test_overdue_is_the_callers_for_an_owner_and_everyones_for_a_lead(
    world: SlackWorld, emulator: SlackEmulator, relay: Relay, session: Session
) -> None:
    world.item(days=-2, title="Mine and late")
    world.item(days=3, title="Mine and fine")
    world.item(owner=world.other_owner, days=-5, title="Ben's late one")
    session.commit()
    owner_view = _reply(emulator, world.owner.slack_user_id, "overdue")
    assert "Mine and late" in owner_view and "Ben's late one" not in owner_view
    assert "Mine and fine" not in owner_view
    lead_view = _reply(emulator, world.lead.slack_user_id, "overdue")
    assert lead_view.startswith("Overdue across the programme")
    assert "Mine and late" in lead_view and "Ben's late one" in lead_view


def test_help_for_unknown_or_empty_subcommands(
    world: SlackWorld, emulator: SlackEmulator, relay: Relay
) -> None:
    for text in ("", "help", "frobnicate"):
        assert "*/tracker mine*" in _reply(emulator, world.owner.slack_user_id, text)


def test_unknown_person_is_told_and_a_bad_signature_refused(
    world: SlackWorld, emulator: SlackEmulator, relay: Relay
) -> None:
    stranger = emulator.add_user("stranger")
    assert _reply(emulator, stranger.id, "mine").startswith("I don't know you")
    emulator.signing_secret = "not-the-apps-secret"
    delivery = emulator.slash_command(world.owner.slack_user_id or "", "mine")
    assert delivery.status == 401


def test_a_lead_of_a_team_sees_the_teams_overdue_items(
    world: SlackWorld, emulator: SlackEmulator, relay: Relay, session: Session
) -> None:
    from tests import factories
    from tracker.people.models import Role

    world.item(owner=world.other_owner, days=-1, title="Team item, late")
    session.commit()
    # An owner-role person who leads the team (as in the demo) sees the team's overdue items.
    world.team.lead_id = world.owner.id
    factories.team(session)  # another team, not theirs
    session.commit()
    assert "Team item, late" in _reply(emulator, world.owner.slack_user_id, "overdue")
    assert world.other_owner.role is Role.owner
