"""Outbox messages that talk to Slack, written in the caller's transaction (never a call here).

- `slack.interaction`: a verified button press, kept until the worker applies it (the
  endpoint answers Slack as soon as it is stored, well inside Slack's 3 s);
- `slack.refresh`: re-render a posted nudge after its item changed (chat.update);
- `slack.respond`: an ephemeral answer to the person who clicked (their response_url);
- `slack.notice`: tell a lead that a nudge could not be delivered (a DM with the item card,
  kept up to date like a nudge: tracker/nudges/notices.py).
(`slack.nudge` and `slack.digest` are written by the nudge sweep and the digest scheduler.)
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy.orm import Session

from tracker.messaging.ports import Interaction
from tracker.outbox.service import enqueue

NUDGE_KIND = "slack.nudge"
DIGEST_KIND = "slack.digest"
REFRESH_KIND = "slack.refresh"
RESPOND_KIND = "slack.respond"
NOTICE_KIND = "slack.notice"
INTERACTION_KIND = "slack.interaction"
# What someone in Slack is waiting to see (their click applied, the message redrawn, the
# answer): workers take these before ticket sync and sweeps, however long that queue is.
PROMPT_KINDS = (INTERACTION_KIND, REFRESH_KIND, RESPOND_KIND)
# The parsed fields an interaction is applied from; the raw Slack payload is not kept.
_KEPT_RAW = ("dedup_key", "shown_phase", "promised_phase")


def queue_interaction(session: Session, interaction: Interaction) -> None:
    """Keep a verified click until the worker applies it (`interaction_from_payload`)."""
    fields: dict[str, Any] = {f.name: getattr(interaction, f.name) for f in dataclasses.fields(Interaction)}
    fields["raw"] = {k: interaction.raw[k] for k in _KEPT_RAW if interaction.raw.get(k) is not None}
    enqueue(session, kind=INTERACTION_KIND, payload=fields)


def interaction_from_payload(payload: dict[str, Any]) -> Interaction:
    names = {f.name for f in dataclasses.fields(Interaction)}
    return Interaction(**{k: v for k, v in payload.items() if k in names})


def queue_refresh(session: Session, *, channel: str, ts: str, item_id: int, kind: str,
                  note: str | None, coalesce: bool = False) -> None:
    """Re-render one posted message. `coalesce`: not if one is already waiting (the handler
    reads the item when it runs, so a waiting refresh shows this change too)."""
    # One ordering key per message: edits reach Slack in the order they were made.
    enqueue(session, kind=REFRESH_KIND, ordering_key=f"slack-msg:{channel}:{ts}", coalesce=coalesce,
            payload={"channel": channel, "ts": ts, "item_id": item_id, "kind": kind, "note": note})


def queue_response(session: Session, *, response_url: str | None, text: str) -> None:
    """An ephemeral reply; without a response_url (should not happen) there is nowhere to say it."""
    if response_url:
        body: dict[str, Any] = {"response_type": "ephemeral", "replace_original": False, "text": text}
        enqueue(session, kind=RESPOND_KIND, payload={"response_url": response_url, "body": body})


def queue_notice(session: Session, *, lead_id: int, item_id: int, nudge_id: int, reason: str) -> None:
    """Tell a lead that nudge `nudge_id` could not reach its recipient (tracker/nudges/notices.py)."""
    enqueue(session, kind=NOTICE_KIND, ordering_key=f"nudge:{item_id}",
            payload={"lead_id": lead_id, "item_id": item_id, "nudge_id": nudge_id, "reason": reason})
