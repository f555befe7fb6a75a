"""Posted nudges follow their item: any change that alters what a message shows queues a
chat.update of every message posted about the item, wherever the change came from (the API, the
web app, a Jira/GitHub ticket, another Slack message).

- The listener runs inside the change's transaction and only writes outbox rows (`slack.refresh`,
  one ordering key per message); the worker re-renders from the item as it is when it runs.
- Coalesced: while a refresh of a message waits unclaimed, further changes add nothing, so a
  burst of edits is one chat.update per message. A refresh already claimed may have read the old
  state, so a change during it queues one more.
- A click in Slack queues its own refresh of the clicked message, with a note ("Marked training
  by Ana"); `acting_on` tells the listener to leave that message to it and refresh the others.
- Which messages: the nudges table records where each nudge was posted (tracker/nudges/models.py,
  an escalation's channel post and lead DM both, and a lead's notice that a nudge could not reach
  its owner: tracker/nudges/notices.py). The most recent `MAX_MESSAGES` per item are
  refreshed (a bound on chat.update calls per change); an older one keeps its old state until
  someone presses its "Mark ..." button, which is refused as out of date and refreshes it.
- A nudge being posted while the item changes is caught by the nudge handler, which compares
  what it posted with the item once the post is recorded (tracker/nudges/delivery.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tracker.actions.hooks import ActionItemChange
from tracker.messaging.ports import Posted
from tracker.nudges.models import Nudge, NudgePost, PostRole
from tracker.nudges.posts import item_posts, nudge_of_message, post_of_message
from tracker.slack.outbound import queue_refresh

MAX_MESSAGES = 50
ACTED_ON = "slack_message_acted_on"  # session.info key: the (channel, ts) a click came from
# Item fields a nudge shows or derives its buttons from (the next phase depends on the waivers).
SHOWN_FIELDS = frozenset({"title", "phase", "deadline", "owner_id", "moment_id", "investigation_id",
                          "work_plan", "work_plan_submitted_at", "completed_at",
                          "training_waived_reason", "checklist_waived_reason"})


@dataclass(frozen=True)
class PostedNudge:
    nudge_id: int
    kind: str
    posted: Posted


def on_action_item_change(session: Session, change: ActionItemChange) -> None:
    if change.action == "created" or not shows(change):
        return
    acted_on = session.info.get(ACTED_ON)
    for found in posted_messages(session, change.item.id):
        if (found.posted.channel, found.posted.ts) == acted_on:
            continue  # the Slack side refreshes the clicked message itself, with its note
        queue_refresh(session, channel=found.posted.channel, ts=found.posted.ts, item_id=change.item.id,
                      kind=found.kind, note=None, coalesce=True)


def shows(change: ActionItemChange) -> bool:
    """Whether the change alters what a posted nudge shows: its text, its buttons."""
    if change.entity_type == "action_item":
        return not SHOWN_FIELDS.isdisjoint(change.changes)
    if change.entity_type == "nudge_schedule":
        return True  # a snooze: the snooze button goes at the limit
    if change.entity_type == "training_record":
        return "needed" in change.changes  # implementing offers training or closing the loop
    return False  # progress updates, checklist entries: not shown


def posted_messages(session: Session, item_id: int) -> list[PostedNudge]:
    """The item's posted messages, newest first (one indexed query)."""
    return [PostedNudge(nudge.id, "undeliverable" if post.role == PostRole.notice else nudge.kind.value,
                        Posted(post.channel, post.ts))
            for post, nudge in item_posts(session, item_id, MAX_MESSAGES)]


def nudge_posted_as(session: Session, item_id: int, posted: Posted) -> Nudge | None:
    """The nudge that `posted` is a message of, if it is one (of this item)."""
    nudge = nudge_of_message(session, channel=posted.channel, ts=posted.ts)
    return nudge if nudge is not None and nudge.action_item_id == item_id else None


def post_posted_as(session: Session, item_id: int, posted: Posted) -> tuple[NudgePost, Nudge] | None:
    """The recorded post (and its nudge) that `posted` is, if it is one of this item's."""
    found = post_of_message(session, channel=posted.channel, ts=posted.ts)
    return found if found is not None and found[1].action_item_id == item_id else None


@contextmanager
def acting_on(session: Session, channel: str | None, ts: str | None) -> Iterator[None]:
    """While a click on (channel, ts) is applied: the listener leaves that message alone."""
    session.info[ACTED_ON] = (channel, ts)
    try:
        yield
    finally:
        session.info.pop(ACTED_ON, None)
