"""One small, connected programme: map -> step -> friction -> moment -> investigation -> action."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from tests import factories
from tracker.actions.models import ActionItem, ChecklistEntry, ContactChannel, Phase, Priority, TrainingRecord
from tracker.friction.models import AffectedCustomer, Evidence, EvidenceSource, FrictionPoint
from tracker.investigations.models import Investigation
from tracker.journeys.models import Channel, JourneyMap, JourneyStage, JourneyStep, MapKind
from tracker.metrics.names import add_named
from tracker.moments.models import MomentOfTruth
from tracker.people.models import Role


def build_world(session: Session) -> dict[str, Any]:
    lead = factories.person(session, Role.lead)
    owner = factories.person(session, Role.owner)
    team = factories.team(session, lead_id=lead.id)
    journey = JourneyMap(name="Broken invoice", kind=MapKind.customer, persona="SMB admin",
                         scope_start="Invoice arrives", scope_end="Invoice corrected",
                         objectives=["Find where trust breaks"])
    stage = JourneyStage(position=1, name="Notice the problem")
    step = JourneyStep(position=1, name="Opens the PDF", channel=Channel.email, emotion_score=-3,
                       doing="Reads the invoice", thinking="Why is VAT doubled?", feeling="Annoyed")
    stage.steps.append(step)
    journey.stages.append(stage)
    session.add(journey)
    session.flush()
    add_named(session, journey_map_id=journey.id, names=["Fewer billing contacts"], actor=lead)
    moment = MomentOfTruth(title="The first wrong invoice", journey_map_id=journey.id, score=50.0)
    session.add(moment)
    session.flush()
    friction = FrictionPoint(journey_map_id=journey.id, step_id=step.id, moment_id=moment.id,
                             title="VAT shown twice")
    friction.evidence.append(Evidence(source=EvidenceSource.support_tickets, note="41 tickets in May"))
    customer = AffectedCustomer(name="Acme GmbH", contact="ap@acme.example", segment="SMB")
    friction.affected_customers.append(customer)
    session.add(friction)
    session.flush()
    investigation = Investigation(moment_id=moment.id, friction_point_id=friction.id,
                                  title="Why VAT doubles", owner_id=owner.id)
    session.add(investigation)
    session.flush()
    item = ActionItem(moment_id=moment.id, investigation_id=investigation.id, title="Fix VAT line",
                      team_id=team.id, owner_id=owner.id, deadline=date.today() + timedelta(days=7),
                      priority=Priority.high, phase=Phase.planned)
    session.add(item)
    session.flush()
    session.add(TrainingRecord(action_item_id=item.id, needed=False))
    entry = ChecklistEntry(action_item_id=item.id, affected_customer_id=customer.id,
                           customer_name=customer.name, contact=customer.contact,
                           channel=ContactChannel.email)
    session.add(entry)
    session.flush()
    session.commit()
    return {
        "lead": lead, "owner": owner, "team": team, "journey": journey, "stage": stage, "step": step,
        "moment": moment, "friction": friction, "customer": customer, "evidence": friction.evidence[0],
        "investigation": investigation, "item": item, "entry": entry,
    }
