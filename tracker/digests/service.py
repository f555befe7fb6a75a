"""Queueing weekly digests for Slack: each (scope, week) at most once, ever.

Send time: Monday from 09:00 in the team's timezone (09:00 UTC for the programme digest), for
the week that just ended. The worker checks every 15 minutes; a check missed by downtime is
caught up until that Monday ends (local time). After that the week is skipped rather than sent
late; it can still be read from the API and the CLI. Teams without a Slack channel are skipped.
The unique (scope, week) row is inserted with ON CONFLICT DO NOTHING, in the same transaction
as its outbox message, so two workers or a rerun can never queue a digest twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.digests.builder import Scope
from tracker.digests.models import DigestDelivery, DigestState
from tracker.digests.weeks import parse_week, week_of
from tracker.nudges.dialect import insert_ignoring_conflicts
from tracker.nudges.policy import zone
from tracker.outbox.service import enqueue
from tracker.people.models import Team
from tracker.types import utcnow

DIGEST_KIND = "slack.digest"
SEND_WEEKDAY, SEND_HOUR = 0, 9  # Monday, 09:00 local


def queue_digest(session: Session, *, scope: str, week: str) -> DigestDelivery | None:
    """Claim (scope, week) and enqueue its Slack post; None when it was already claimed."""
    resolved = Scope(session, scope)
    label = parse_week(week).label
    team = resolved.team
    stmt = (insert_ignoring_conflicts(session, DigestDelivery)
            .values(scope=resolved.key, team_id=team.id if team else None, week=label,
                    state=DigestState.pending, channel=team.slack_channel if team else None,
                    created_at=utcnow())
            .returning(DigestDelivery.id))
    delivery_id = session.execute(stmt).scalar()
    if delivery_id is None:
        return None
    enqueue(session, kind=DIGEST_KIND, payload={"delivery_id": delivery_id},
            ordering_key=f"digest:{resolved.key}")
    return session.get(DigestDelivery, delivery_id)


def _send_window(now: datetime, tz_name: str) -> str | None:
    """The week to send now in this timezone (the one just ended), or None outside the window."""
    local = now.astimezone(zone(tz_name))
    if local.weekday() != SEND_WEEKDAY or local.hour < SEND_HOUR:
        return None
    return week_of(local.date()).previous().label


def due_digests(session: Session, now: datetime) -> int:
    """Queue every digest whose send time has come (see the module docstring); returns how many."""
    wanted: list[tuple[str, str]] = []
    for team_id, tz_name in session.execute(
            select(Team.id, Team.timezone).where(Team.slack_channel.is_not(None)).order_by(Team.id)):
        week = _send_window(now, tz_name)
        if week is not None:
            wanted.append((f"team:{team_id}", week))
    week = _send_window(now, "UTC")
    if week is not None:
        wanted.append(("programme", week))
    if not wanted:
        return 0
    done = {(scope, week) for scope, week in session.execute(
        select(DigestDelivery.scope, DigestDelivery.week)
        .where(DigestDelivery.week.in_({w for _, w in wanted})))}
    return sum(queue_digest(session, scope=s, week=w) is not None for s, w in wanted if (s, w) not in done)
