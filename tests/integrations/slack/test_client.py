"""SlackMessenger through the real slack-sdk WebClient against the emulator: round trips, Block Kit
the emulator accepts, every error mapping, and the retry choices."""

from __future__ import annotations

from datetime import date

import pytest
from slack_sdk.signature import Clock

from integrations.emulation import Fault, FaultPlan
from integrations.slack import message_blocks
from integrations.slack.blocks import validate
from integrations.slack.client import SlackMessenger, respond
from integrations.slack.emulator import SlackEmulator
from integrations.slack.requests import SlackInteractionCodec
from tracker.messaging.ports import (
    DigestReport,
    DigestSection,
    MessengerAuthFailed,
    MessengerTransient,
    NudgeMessage,
    Posted,
    RecipientNotFound,
    RecipientUnavailable,
)

from .conftest import SECRET, TOKEN, Team


def nudge(**overrides: object) -> NudgeMessage:
    values: dict[str, object] = dict(
        kind="overdue", action_item_id=12, title="Fix the VAT line <on invoices> & receipts",
        deadline=date(2026, 11, 20), phase="implementing", next_phase="training",
        moment_title="Invoice arrives", owner_name="Ana Silva", days_to_deadline=-3,
        item_url="http://tracker.test/action-items/12", ticket_url="https://jira.example/browse/CX-7",
        can_snooze=True)
    values.update(overrides)
    return NudgeMessage(**values)  # type: ignore[arg-type]


@pytest.fixture
def messenger(emulator: SlackEmulator) -> SlackMessenger:
    return SlackMessenger(TOKEN, base_url=emulator.url + "/api/", timeout=5, max_retry_delay=1.0)


def test_send_update_and_find_round_trip(emulator: SlackEmulator, team: Team, messenger: SlackMessenger) -> None:
    assert messenger.find_user(slack_user_id=None, email="ANA@example.com") == team.ana.id
    assert messenger.find_user(slack_user_id="U123", email=None) == "U123"  # given ids are used as is
    posted = messenger.send_nudge(team.ana.id, nudge())
    [dm] = emulator.messages_for_user(team.ana.id)
    assert (posted.channel, posted.ts) == (dm.channel, dm.ts)
    assert dm.text == "Overdue by 3 days: Fix the VAT line &lt;on invoices&gt; &amp; receipts"  # fallback is mrkdwn too
    assert "Fix the VAT line &lt;on invoices&gt; &amp; receipts" in str(dm.blocks)  # mrkdwn escaped
    messenger.update_nudge(posted, nudge(phase="training", next_phase="closing_loop", note="Marked training by Ana"))
    assert dm.edits and "Marked training by Ana" in str(dm.blocks) and "Mark closing the loop" in str(dm.blocks)
    in_channel = messenger.post_nudge_to_channel(team.cx.id, nudge(kind="escalation", days_to_deadline=-8))
    assert in_channel.channel == team.cx.id
    assert emulator.messages_in_channel(team.cx.id)[0].text.startswith("Escalation: Ana Silva's item")


@pytest.mark.parametrize(("kind", "days", "headline"), [
    ("before_due", 2, "Due in 2 days"), ("before_due", 1, "Due tomorrow"), ("due_today", 0, "Due today"),
    ("overdue", -1, "Overdue by 1 day"), ("work_plan", 5, "Work plan needed"),
    ("escalation", -6, "Escalation: Ana Silva's item is overdue by 6 days"),
    ("escalation", 3, "Escalation: Ana Silva's item, now due in 3 days"),  # the deadline moved since
])
def test_headlines_by_kind(kind: str, days: int, headline: str) -> None:
    blocks = message_blocks.nudge_blocks(nudge(kind=kind, days_to_deadline=days))
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": headline, "emoji": True}}


def test_a_closed_or_reassigned_item_says_so_in_the_headline() -> None:
    done = nudge(phase="done", next_phase=None, note="Done on 12 Mar 2026 by Maya Okafor.")
    assert message_blocks.nudge_text(done) == (
        "Done: Fix the VAT line &lt;on invoices&gt; &amp; receipts (Done on 12 Mar 2026 by Maya Okafor.)")
    assert message_blocks.nudge_headline(nudge(phase="cancelled", kind="escalation")) == "Cancelled"
    assert message_blocks.nudge_headline(nudge(kind="reassigned", owner_name="Ben Weber")) == \
        "Reassigned to Ben Weber"


def test_buttons_follow_the_state() -> None:
    def ids(message: NudgeMessage) -> list[str]:
        actions = [b for b in message_blocks.nudge_blocks(message) if b["type"] == "actions"]
        return [e["action_id"] for e in actions[0]["elements"]] if actions else []

    assert ids(nudge()) == ["advance", "update", "snooze", "open_ticket"]
    assert ids(nudge(can_snooze=False, ticket_url=None, next_phase=None)) == ["update"]
    # Nothing left to do: no buttons but the ticket's link, and no input.
    done = nudge(phase="done", next_phase=None, can_snooze=False, note="Marked done by Ana")
    assert ids(done) == ["open_ticket"]
    assert ids(nudge(phase="cancelled", next_phase=None, ticket_url=None)) == []
    assert ids(nudge(kind="reassigned", owner_name="Ben Weber")) == ["open_ticket"]
    assert not any(b["type"] == "input" for b in message_blocks.nudge_blocks(done))
    block_id = message_blocks.actions_block_id(nudge())
    assert message_blocks.parse_actions_block_id(block_id) == (12, "implementing", "training")


def test_long_digest_stays_within_slacks_limits(emulator: SlackEmulator, team: Team,
                                                messenger: SlackMessenger) -> None:
    sections = [DigestSection(f"Section {i}", [f"Item {i}.{j}: planned -> implementing " + "x" * 80
                                              for j in range(120)]) for i in range(30)]
    sections.append(DigestSection("Empty", []))
    report = DigestReport(title="Billing Operations: week 2026-W47", scope="team:3", week="2026-W47",
                          period="16-22 Nov 2026", headline="12 moved, 3 completed", sections=sections)
    blocks = message_blocks.digest_blocks(report)
    validate(blocks)  # the emulator's invalid_blocks checks: <= 50 blocks, <= 3000 chars a section
    assert len(blocks) <= 50
    text = str(blocks)
    assert "more" in text and "Section 0" in text
    messenger.post_digest(team.cx.id, report)  # and Slack (the emulator) takes it
    small = DigestReport(title="T", scope="programme", week="2026-W47", period="p", headline="h",
                         sections=[DigestSection("Completed", [], "Nothing completed.")])
    assert "_Nothing completed._" in str(message_blocks.digest_blocks(small))


@pytest.mark.parametrize(("setup", "error", "code"), [
    (lambda e, t: e.revoke_token(TOKEN), MessengerAuthFailed, "token_revoked"),
    (lambda e, t: e.deactivate_token(TOKEN), MessengerAuthFailed, "account_inactive"),
    (lambda e, t: e.add_token("unused"), None, None),
])
def test_auth_errors(emulator: SlackEmulator, team: Team, messenger: SlackMessenger, setup, error, code) -> None:  # type: ignore[no-untyped-def]
    setup(emulator, team)
    if error is None:
        messenger.send_nudge(team.ana.id, nudge())
        return
    with pytest.raises(error) as raised:
        messenger.send_nudge(team.ana.id, nudge())
    assert code in str(raised.value) and TOKEN not in str(raised.value)


def test_invalid_and_missing_token(emulator: SlackEmulator, team: Team) -> None:
    for token in ("xoxb-wrong", ""):
        bad = SlackMessenger(token, base_url=emulator.url + "/api/", timeout=5)
        with pytest.raises(MessengerAuthFailed) as raised:
            bad.post_nudge_to_channel(team.cx.id, nudge())
        assert ("invalid_auth" in str(raised.value) or "not_authed" in str(raised.value))
        assert "xoxb-wrong" not in str(raised.value)


def test_recipient_errors(emulator: SlackEmulator, team: Team, messenger: SlackMessenger) -> None:
    with pytest.raises(RecipientNotFound, match="users_not_found"):
        messenger.find_user(slack_user_id=None, email="nobody@example.com")
    with pytest.raises(RecipientNotFound):
        messenger.find_user(slack_user_id=None, email=None)
    with pytest.raises(RecipientUnavailable, match="user_disabled"):
        messenger.send_nudge(team.gone.id, nudge())
    with pytest.raises(RecipientUnavailable, match="deactivated"):
        messenger.find_user(slack_user_id=None, email="gone@example.com")
    for channel, code in ((team.private.id, "not_in_channel"), (team.old.id, "is_archived"),
                          ("C0NOPE", "channel_not_found")):
        with pytest.raises(RecipientUnavailable, match=code):
            messenger.post_nudge_to_channel(channel, nudge())


def test_rate_limit_short_wait_is_retried_long_wait_goes_back(
    emulator: SlackEmulator, team: Team, messenger: SlackMessenger
) -> None:
    emulator.faults = FaultPlan(queued=[Fault.RATE_LIMITED], path_pattern=r"chat\.postMessage$")
    messenger.post_nudge_to_channel(team.cx.id, nudge())  # Retry-After 0: slept out, retried
    assert len(emulator.messages_in_channel(team.cx.id)) == 1
    emulator.fault_retry_after = 30
    emulator.faults = FaultPlan(queued=[Fault.RATE_LIMITED], path_pattern=r"chat\.postMessage$")
    with pytest.raises(MessengerTransient) as raised:
        messenger.post_nudge_to_channel(team.cx.id, nudge())
    assert raised.value.retry_after == 30 and len(emulator.messages_in_channel(team.cx.id)) == 1


def test_server_errors_and_timeouts_are_transient(emulator: SlackEmulator, team: Team,
                                                  messenger: SlackMessenger) -> None:
    emulator.faults = FaultPlan(queued=[Fault.SERVER_ERROR], path_pattern=r"chat\.postMessage$")
    with pytest.raises(MessengerTransient, match="503"):
        messenger.post_nudge_to_channel(team.cx.id, nudge())
    emulator.faults = FaultPlan(queued=[Fault.TIMEOUT_AFTER_WRITE], timeout_seconds=0.6,
                                path_pattern=r"chat\.postMessage$")
    slow = SlackMessenger(TOKEN, base_url=emulator.url + "/api/", timeout=0.3)  # type: ignore[arg-type]
    with pytest.raises(MessengerTransient, match="no answer"):
        slow.post_nudge_to_channel(team.cx.id, nudge())


def test_a_drop_after_a_post_is_not_reposted_but_a_dropped_update_is_retried(
    emulator: SlackEmulator, team: Team, messenger: SlackMessenger
) -> None:
    emulator.faults = FaultPlan(queued=[Fault.DROP_AFTER_WRITE], path_pattern=r"chat\.postMessage$")
    with pytest.raises(MessengerTransient):
        messenger.post_nudge_to_channel(team.cx.id, nudge())
    [landed] = emulator.messages_in_channel(team.cx.id)  # once: the SDK did not send it again
    # chat.update overwrites with the same content: safe to repeat, so the client retries it.
    emulator.faults = FaultPlan(queued=[Fault.DROP], path_pattern=r"chat\.update$")
    messenger.update_nudge(Posted(team.cx.id, landed.ts), nudge(note="Marked training by Ana"))
    assert "Marked training by Ana" in str(landed.blocks)
    assert len(emulator.messages_in_channel(team.cx.id)) == 1


def test_respond_through_the_response_url(emulator: SlackEmulator, team: Team, app) -> None:  # type: ignore[no-untyped-def]
    emulator.slash_command(team.ana.id, "mine")
    url = app.received[-1].form()["response_url"]
    respond(url, {"response_type": "ephemeral", "text": "Not changed: it belongs to someone else."})
    assert emulator.ephemeral_for_user(team.ana.id)[-1].text.startswith("Not changed")
    with pytest.raises(RecipientUnavailable):
        respond(emulator.url + "/response/expired-token", {"text": "x"})


class FixedClock(Clock):
    def __init__(self, now: float) -> None:
        self.at = now

    def now(self) -> float:
        return self.at


def test_codec_signature_window_and_parsing(emulator: SlackEmulator, team: Team) -> None:
    body = b"token=x&team_id=T1&user_id=" + team.ana.id.encode() + b"&command=%2Ftracker&text=overdue+now"
    headers = emulator.sign(body, timestamp=1_700_000_000)
    assert SlackInteractionCodec(FixedClock(1_700_000_299)).verify(SECRET, headers, body)
    assert not SlackInteractionCodec(FixedClock(1_700_000_301)).verify(SECRET, headers, body)
    assert not SlackInteractionCodec(FixedClock(1_700_000_000)).verify("other", headers, body)
    assert not SlackInteractionCodec().verify(SECRET, {**headers, "X-Slack-Request-Timestamp": "soon"}, body)
    command = SlackInteractionCodec().parse_command(body)
    assert (command.kind, command.action, command.slack_user_id) == ("command", "overdue", team.ana.id)
    with pytest.raises(ValueError):
        SlackInteractionCodec().parse_interaction(b"payload=%7Bnot+json")
    with pytest.raises(ValueError):
        SlackInteractionCodec().parse_interaction(b"nothing=here")
