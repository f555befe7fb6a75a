"""Applying what people do in Slack: the same services as the API, the same rules.

Who may do what: the clicking Slack user is matched to an active Person by `slack_user_id`;
then `ensure_can_edit` decides exactly as for the API (the item's owner, a lead or an admin).
A click by anyone else (another owner, a viewer, a stranger) changes nothing and earns an
ephemeral explanation. Changes go through `change_phase` / `snooze` / `add_progress_update`, so
they are logged with the person as actor and sync to Jira/GitHub through the action hooks.

Only database work happens here (Slack wants an answer within 3 s): the ephemeral answers and
the message refresh are outbox messages the worker delivers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracker.actions.access import ensure_can_edit, get_item
from tracker.actions.models import CLOSED_PHASES, ActionItem
from tracker.actions.service import add_progress_update, change_phase
from tracker.errors import Conflict, Forbidden, InvalidInput, NotFound, TrackerError
from tracker.messaging.ports import Interaction, Posted
from tracker.nudges.models import NudgeKind
from tracker.people.models import Person
from tracker.slack.outbound import queue_refresh, queue_response
from tracker.slack.refresh import acting_on, nudge_posted_as
from tracker.sync.models import InboundDelivery

DEDUP_SOURCE = "slack:interaction"  # Slack actions share the webhooks' de-duplication table

UNKNOWN_PERSON = ("I don't know you yet: no one in the tracker has your Slack id. Ask a lead to "
                  "add it to your profile (slack_user_id), then try again.")
TYPE_FIRST = "Type your update in the box above the buttons first, then press *Post an update*."


class StaleMessage(Conflict):
    """The clicked message showed an older state of the item."""


@dataclass(frozen=True)
class Outcome:
    """What happened, for the endpoint's answer (view submissions show errors inline)."""

    ok: bool
    message: str


def person_for(session: Session, slack_user_id: str) -> Person | None:
    if not slack_user_id:
        return None
    return session.scalars(select(Person).where(Person.slack_user_id == slack_user_id,
                                                Person.active.is_(True)).limit(1)).first()


def slack_label(person: Person) -> str:
    return f"{person.name} <{person.email}> via Slack"


def apply_interaction(session: Session, interaction: Interaction) -> Outcome:
    """A verified button press or modal submission; answers and refreshes are queued."""
    if interaction.action == "open_ticket":
        return Outcome(True, "")  # a link button: Slack opens the URL, we only acknowledge
    person = person_for(session, interaction.slack_user_id)
    if person is None:
        return _tell(session, interaction, Outcome(False, UNKNOWN_PERSON))
    if interaction.action not in ("advance", "snooze", "update") or interaction.action_item_id is None:
        return _tell(session, interaction, Outcome(False, "I don't know that button. Try `/tracker help`."))
    key = interaction.raw.get("dedup_key")
    if key and _seen(session, str(key)):
        return Outcome(True, "")  # a replay of a request already applied: acknowledge only
    try:
        # A savepoint: a refusal half-way through leaves nothing behind. The clicked message is
        # refreshed below with a note; the change's listener refreshes the item's other messages.
        with session.begin_nested(), acting_on(session, interaction.channel, interaction.message_ts):
            note = _apply(session, person, interaction)
            if key:  # recorded with the change, so a concurrent replay fails on the unique key
                session.add(InboundDelivery(source=DEDUP_SOURCE, delivery_id=str(key),
                                            event=f"slack.{interaction.action}"[:80], actor=person.slack_user_id,
                                            outcome="applied"))
                session.flush()
    except IntegrityError:
        return Outcome(True, "")  # the same request, applied meanwhile by a concurrent replay
    except StaleMessage as exc:
        _refresh(session, interaction, None)
        outcome = Outcome(False, f"Not changed: {exc.message}")
    except NotFound:
        outcome = Outcome(False, f"Action item {interaction.action_item_id} no longer exists.")
    except Forbidden as exc:
        outcome = Outcome(False, f"Not changed: {exc.message}.")
    except (Conflict, InvalidInput) as exc:
        outcome = Outcome(False, f"Not changed: {exc.message}")
    except TrackerError as exc:
        outcome = Outcome(False, f"Not changed: {exc.message}")
    else:
        _refresh(session, interaction, note)
        return Outcome(True, note)
    if interaction.kind == "view_submission":
        return outcome  # shown in the modal itself
    return _tell(session, interaction, outcome)


def _seen(session: Session, key: str) -> bool:
    return session.scalar(select(InboundDelivery.id).where(InboundDelivery.source == DEDUP_SOURCE,
                                                           InboundDelivery.delivery_id == key)) is not None


def _apply(session: Session, person: Person, interaction: Interaction) -> str:
    item_id = interaction.action_item_id
    assert item_id is not None
    item = get_item(session, item_id)
    ensure_can_edit(person, item)
    label = slack_label(person)
    if interaction.action == "advance":
        return _advance(session, person, item, interaction, label)
    if interaction.action == "snooze":
        from tracker.nudges.service import snooze

        until: datetime = snooze(session, actor=person, item_id=item.id, actor_label=label)
        return f"Snoozed until {until:%a %d %b %H:%M} UTC by {person.name}"
    text = (interaction.text or "").strip()
    if not text:
        raise InvalidInput(TYPE_FIRST, field="text")
    add_progress_update(session, actor=person, item_id=item.id, note=text, actor_label=label)
    return f"Update posted by {person.name}: {text[:200]}"


def _advance(session: Session, person: Person, item: ActionItem, interaction: Interaction,
             label: str) -> str:
    shown = interaction.raw.get("shown_phase")
    promised = interaction.raw.get("promised_phase")
    if item.phase in CLOSED_PHASES or (shown and shown != item.phase.value) or not promised:
        # The message is out of date (a second click, or the item moved meanwhile): do not move
        # the item a step further than the person saw; the refresh shows where it is now.
        raise StaleMessage(f"this message was out of date: the item is {item.phase.value.replace('_', ' ')} "
                       "now. I refreshed it; press the button again if you still mean it.")
    change_phase(session, actor=person, item_id=item.id, to=promised, expected_version=None,
                 actor_label=label)
    return f"Marked {promised.replace('_', ' ')} by {person.name}"


def _tell(session: Session, interaction: Interaction, outcome: Outcome) -> Outcome:
    queue_response(session, response_url=interaction.response_url, text=outcome.message)
    return outcome


def _refresh(session: Session, interaction: Interaction, note: str | None) -> None:
    if not (interaction.channel and interaction.message_ts and interaction.action_item_id):
        return
    queue_refresh(session, channel=interaction.channel, ts=interaction.message_ts,
                  item_id=interaction.action_item_id,
                  kind=message_kind(session, interaction.action_item_id, interaction.channel,
                                    interaction.message_ts),
                  note=note)


def message_kind(session: Session, item_id: int, channel: str, ts: str) -> str:
    """The kind of nudge a message was (its headline), found by where it was posted."""
    nudge = nudge_posted_as(session, item_id, Posted(channel, ts))
    return nudge.kind.value if nudge is not None else NudgeKind.overdue.value
