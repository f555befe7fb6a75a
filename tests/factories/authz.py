"""A world for the authorization sweep: build_world plus every principal and every referenced row.

Principals: anonymous, a viewer, the owner of the action item (who also owns its
investigation), another owner, the programme's lead, and an admin.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from tests.factories.programme import build_world
from tracker.actions.models import TrainingRecord
from tracker.auth.service import issue_token
from tracker.journeys.models import Channel, JourneyStage, JourneyStep
from tracker.metrics.models import MomentMetric, Observation, ObservationSource, SuccessMetric
from tracker.people.models import Role
from tracker.sync.models import LinkState, TargetKind, TicketLink, TicketTarget
from tracker.types import utcnow

# The connection the authorization test's settings configure (and the ticket-target example names).
CONNECTION = "acme_jira"
WEBHOOK_SECRET = "authz-test-secret"


def build_authz_world(session: Session) -> dict[str, Any]:
    w = build_world(session)
    # The CSV import example names stage "Notice" and step "Open invoice": give it both.
    stage = JourneyStage(journey_map_id=w["journey"].id, position=2, name="Notice")
    stage.steps.append(JourneyStep(position=1, name="Open invoice", channel=Channel.web))
    session.add(stage)
    w["viewer"] = factories.person(session, Role.viewer)
    w["other_owner"] = factories.person(session, Role.owner)
    w["admin"] = factories.person(session, Role.admin)
    # A second token of the item owner: the one `token_id` names, never the one they sign in with.
    w["token"], _ = issue_token(session, person=w["owner"], name="spare")
    w["training"] = session.scalars(
        select(TrainingRecord).where(TrainingRecord.action_item_id == w["item"].id)).one()
    target = TicketTarget(name="Billing Jira (seeded)", kind=TargetKind.jira, connection=CONNECTION,
                          project="BILL", issue_type="Task", mapping={})
    session.add(target)
    session.flush()
    w["target"] = target
    # Broken, so both reading the link and resuming it have something real to act on.
    w["link"] = TicketLink(action_item_id=w["item"].id, target_id=target.id, state=LinkState.broken,
                           broken_reason="the project was archived", broken_at=utcnow(),
                           marker=f"tracker-authz-{w['item'].id}", remote_key="BILL-1",
                           remote_url="https://acme.example/browse/BILL-1", snapshot={},
                           dirty_fields=[])
    session.add(w["link"])
    # The map's metric, named by the moment, with one value (the period `period` names).
    w["metric"] = session.scalars(
        select(SuccessMetric).where(SuccessMetric.journey_map_id == w["journey"].id)).one()
    session.add(MomentMetric(moment_id=w["moment"].id, metric_id=w["metric"].id))
    w["observation"] = Observation(metric_id=w["metric"].id, period_start=date(2026, 1, 5), value=12,
                                   source=ObservationSource.api)
    w["observation_period"] = "2026-W02"
    session.add(w["observation"])
    session.flush()
    session.commit()
    w["headers"] = {"anonymous": {}}
    for who in ("viewer", "owner", "other_owner", "lead", "admin"):
        w["headers"][who] = factories.auth_headers(session, w[who])
    return w
