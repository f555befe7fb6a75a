"""`slack.digest`: post a week's digest to the team channel, or DM it to the CX lead(s).

The DigestDelivery row (UNIQUE scope+week) was inserted before this message was queued, so a
digest cannot be queued twice; here a delivery that is no longer pending is never re-posted.
The programme digest goes to several leads: each lead reached is recorded (in `channel`, as
their person ids) right after their post, so a retry after a failure only sends to the rest.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from tracker.db import transaction
from tracker.digests.models import DigestDelivery, DigestState
from tracker.messaging.ports import (
    DigestReport,
    MessengerAuthFailed,
    MessengerError,
    MessengerTransient,
    Posted,
    RecipientNotFound,
    RecipientUnavailable,
)
from tracker.people.models import Person, Role, Team
from tracker.worker.errors import GiveUp, RetryLater
from tracker.worker.runner import WorkerContext

log = logging.getLogger(__name__)
MAX_LEADS = 10  # the ids of those reached are kept in `channel` (80 characters)


def deliver_digest(ctx: WorkerContext, message: Any) -> None:
    delivery_id = int(message.payload["delivery_id"])
    messenger = ctx.resources.get("messenger")
    with transaction(ctx.session_factory) as session:
        delivery = session.get(DigestDelivery, delivery_id)
        if delivery is None or delivery.state is not DigestState.pending:
            return
        if messenger is None:
            _fail(delivery, "Slack is not configured (TRACKER_SLACK__BOT_TOKEN); nothing was sent")
            raise GiveUp(delivery.error or "")
        from tracker.digests.builder import build_digest

        report = build_digest(session, scope=delivery.scope, week=delivery.week)
        targets = _targets(session, delivery)
        if not targets:
            _fail(delivery, "nowhere to post it: the team has no Slack channel / there is no CX lead")
            return
        done = set(filter(None, (delivery.channel or "").split(","))) if delivery.scope == "programme" else set()
    _send(ctx, delivery_id, report, targets, done, messenger)


def _targets(session: Any, delivery: DigestDelivery) -> list[tuple[str, str | None, str]]:
    """(key, slack id or None, email-or-channel) to post to."""
    if delivery.scope == "programme":
        leads = session.scalars(select(Person).where(Person.role == Role.lead, Person.active.is_(True))
                                .order_by(Person.id).limit(MAX_LEADS))
        return [(str(p.id), p.slack_user_id, p.email) for p in leads]
    team = session.get(Team, delivery.team_id) if delivery.team_id else None
    return [("channel", None, team.slack_channel)] if team is not None and team.slack_channel else []


def _send(ctx: WorkerContext, delivery_id: int, report: DigestReport,
          targets: list[tuple[str, str | None, str]], done: set[str], messenger: Any) -> None:
    failures: list[str] = []
    for key, slack_id, where in targets:
        if key in done:
            continue
        try:
            if key == "channel":
                posted = messenger.post_digest(where, report)
            else:  # chat.postMessage to a user id lands in the app's DM with them
                posted = messenger.post_digest(messenger.find_user(slack_user_id=slack_id, email=where), report)
        except MessengerTransient as exc:
            raise RetryLater(str(exc), retry_after=exc.retry_after) from None
        except (RecipientNotFound, RecipientUnavailable) as exc:
            failures.append(f"{where}: {exc}")
            continue
        except MessengerAuthFailed as exc:
            _settle(ctx, delivery_id, error=str(exc), failed=True)
            raise GiveUp(str(exc)) from None
        except MessengerError as exc:
            _settle(ctx, delivery_id, error=str(exc), failed=True)
            raise GiveUp(str(exc)) from None
        done.add(key)
        _progress(ctx, delivery_id, posted, done if key != "channel" else None)
    error = "; ".join(failures) or None
    _settle(ctx, delivery_id, error=error, failed=not done)
    if failures:
        log.warning("digest %s: not delivered to %s", delivery_id, error)


def _progress(ctx: WorkerContext, delivery_id: int, posted: Posted, leads_done: set[str] | None) -> None:
    """Committed right after each post: a retry never posts to the same place twice."""
    with transaction(ctx.session_factory) as session:
        delivery = session.get(DigestDelivery, delivery_id)
        if delivery is None:
            return
        delivery.slack_ts = posted.ts
        delivery.channel = ",".join(sorted(leads_done)) if leads_done is not None else posted.channel


def _settle(ctx: WorkerContext, delivery_id: int, *, error: str | None, failed: bool) -> None:
    with transaction(ctx.session_factory) as session:
        delivery = session.get(DigestDelivery, delivery_id)
        if delivery is None or delivery.state is not DigestState.pending:
            return
        delivery.error = error
        if failed:
            delivery.state = DigestState.failed
        else:
            delivery.state, delivery.sent_at = DigestState.sent, ctx.clock()


def _fail(delivery: DigestDelivery, reason: str) -> None:
    delivery.state, delivery.error = DigestState.failed, reason
    log.warning("digest %s (%s %s) failed: %s", delivery.id, delivery.scope, delivery.week, reason)
