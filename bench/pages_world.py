"""What bench/pages.py adds to the programme of bench/overview.py: one customer journey of 40
steps with friction pinned on it, grouped into moments of truth that have their own fixes, a
smaller employee map to line it up with, and a signed-in browser session.

The bulk of the action items (and the 300 programme-wide moments they belong to) comes from
bench/overview.py's seeding; this module only adds the map's few hundred rows, shaped like a
workshop's output: a handful of friction points per step, a few action items per moment.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from tracker.actions.models import (
    OPEN_PHASES,
    ActionItem,
    ChecklistEntry,
    ContactChannel,
    NotificationStatus,
    Phase,
    Priority,
    TrainingRecord,
)
from tracker.auth.service import issue_token
from tracker.auth.sessions import start_session
from tracker.db import make_session_factory, transaction
from tracker.friction.models import FrictionPoint
from tracker.investigations.models import Investigation, InvestigationStatus
from tracker.journeys.models import Channel, MapKind
from tracker.journeys.service import create_map
from tracker.moments.models import MomentOfTruth
from tracker.people.models import Person

LEAD_ID = 1  # bench/api.seed_people's lead, who also holds the API token
MAP_MOMENTS = 20
POINTS_PER_STEP = 2
ITEMS_PER_MOMENT = 5
ITEMS_PER_INVESTIGATION = 2  # items with no moment of their own: they count through the investigation


@dataclass(frozen=True)
class JourneyWorld:
    map_id: int
    steps: int
    friction_points: int
    moments: int
    action_items: int


def _map_data(name: str, kind: MapKind, *, stages: int, steps_per_stage: int,
              rng: random.Random) -> dict[str, object]:
    return {
        "name": name, "kind": kind, "persona": "Small-business owner paying monthly",
        "scope_start": "The invoice arrives", "scope_end": "The customer trusts the corrected invoice",
        "objectives": ["Fewer billing calls"], "success_metrics": ["Billing contacts per 1,000 invoices"],
        "stages": [{"name": f"Stage {s + 1}", "steps": [{
            "name": f"Step {s + 1}.{t + 1}", "doing": "Opens the invoice PDF and compares the totals",
            "thinking": "Why is the VAT line different from last month?", "feeling": "Unsure",
            "emotion_score": rng.randint(-5, 5), "channel": rng.choice(list(Channel)),
            "people_met": ["Billing agent"], "systems_met": ["Invoice portal", "Email"],
            "duration_minutes": rng.randint(2, 30)} for t in range(steps_per_stage)]}
            for s in range(stages)],
    }


def _insert_items(session: Session, rows: list[dict[str, object]]) -> int:
    """Action items with their training record, as the service creates them."""
    ids = session.execute(insert(ActionItem).returning(ActionItem.id), rows).scalars().all()
    now = datetime.now(UTC)
    session.execute(insert(TrainingRecord), [
        {"action_item_id": i, "needed": False, "audience": "", "sessions_held": 0, "people_trained": 0,
         "target_count": 0, "notes": "", "updated_at": now, "version": 1} for i in ids])
    return len(ids)


def _item(rng: random.Random, n: int, *, owners: int, today: date, moment_id: int | None,
          investigation_id: int | None = None) -> dict[str, object]:
    now = datetime.now(UTC)
    return {"title": f"Map fix {n}", "description": "", "moment_id": moment_id,
            "investigation_id": investigation_id, "team_id": rng.randint(1, 10),
            "owner_id": rng.randint(2, owners + 1), "deadline": today + timedelta(days=rng.randint(-40, 80)),
            "priority": rng.choice(list(Priority)),
            "phase": rng.choice([Phase.planned, Phase.implementing, Phase.training, Phase.closing_loop,
                                 Phase.done, Phase.blocked]),
            "assigned_at": now, "created_at": now, "updated_at": now, "version": 1}


def seed_journey(engine: Engine, rng: random.Random, *, first_moment_id: int, owners: int,
                 today: date) -> JourneyWorld:
    """A 40-step customer map (8 stages of 5), two friction points per step, most grouped into
    the map's own moments; every fourth point promoted into an investigation with its items."""
    with transaction(make_session_factory(engine)) as session:
        lead = session.get(Person, LEAD_ID)
        assert lead is not None, "seed_people first"
        jmap = create_map(session, actor=lead, data=_map_data(
            "Billing dispute (customer)", MapKind.customer, stages=8, steps_per_stage=5, rng=rng))
        create_map(session, actor=lead, data=_map_data(
            "Billing dispute (billing team)", MapKind.employee, stages=8, steps_per_stage=2, rng=rng))
        steps = [step for stage in jmap.stages for step in stage.steps]
        now = datetime.now(UTC)
        moment_ids = list(range(first_moment_id, first_moment_id + MAP_MOMENTS))
        # Explicit ids continue bench/overview.seed_programme's (which leaves sequences alone).
        session.execute(insert(MomentOfTruth), [
            {"id": m, "journey_map_id": jmap.id, "title": f"Map moment {m}", "description": "",
             "reach": rng.randint(1, 5), "severity": rng.randint(1, 5), "emotional_weight": rng.randint(1, 5),
             "business_impact": rng.randint(1, 5), "effort": rng.randint(1, 5), "confidence": rng.randint(1, 5),
             "score": round(rng.uniform(1, 100), 1), "created_at": now, "version": 1} for m in moment_ids])
        points = [FrictionPoint(
            journey_map_id=jmap.id, step_id=step.id, title=f"Friction {step.name}/{k + 1}",
            description="", upstream_cause=rng.choice(["billing", "docs", "tooling", None]),
            # One point in ten is not grouped yet: its pin says "not rated yet".
            moment_id=None if rng.random() < 0.1 else rng.choice(moment_ids), created_by_id=lead.id)
            for step in steps for k in range(POINTS_PER_STEP)]
        session.add_all(points)
        session.flush()
        promoted = [p for p in points[::4] if p.moment_id is not None]
        investigations = [Investigation(moment_id=p.moment_id, friction_point_id=p.id, title=f"Why {p.title}",
                                        hypotheses=[], findings="", status=InvestigationStatus.in_progress)
                          for p in promoted]
        session.add_all(investigations)
        session.flush()
        rows = [_item(rng, n, owners=owners, today=today, moment_id=m)
                for n, m in enumerate(m for m in moment_ids for _ in range(ITEMS_PER_MOMENT))]
        rows += [_item(rng, len(rows) + n, owners=owners, today=today, moment_id=None, investigation_id=i.id)
                 for n, i in enumerate(i for i in investigations for _ in range(ITEMS_PER_INVESTIGATION))]
        return JourneyWorld(map_id=jmap.id, steps=len(steps), friction_points=len(points),
                            moments=MAP_MOMENTS, action_items=_insert_items(session, rows))


def sign_in(engine: Engine, person_id: int = LEAD_ID) -> str:
    """A browser session (the lead's by default), created as POST /sign-in creates one; returns
    the cookie value. (Signing in over HTTP would add an argon2 verification, which pages never pay.)"""
    with transaction(make_session_factory(engine)) as session:
        person = session.get(Person, person_id)
        assert person is not None
        _, secret = start_session(session, person=person, user_agent="bench/pages.py")
        return secret


def api_token(engine: Engine, person_id: int) -> str:
    """An API token of the person (My work's JSON is the caller's own work list)."""
    with transaction(make_session_factory(engine)) as session:
        person = session.get(Person, person_id)
        assert person is not None
        _, secret = issue_token(session, person=person, name="bench/pages.py")
        return secret


PENDING_NOTIFICATIONS = 50_000
CUSTOMERS = 30_000  # fewer customers than notifications: many are owed news about several fixes


def _queued(engine: Engine) -> int:
    """Pending entries the closed-loop queue shows: those of shipped items (closing_loop, done)."""
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(ChecklistEntry).join(
            ActionItem, ActionItem.id == ChecklistEntry.action_item_id).where(
            ChecklistEntry.status == NotificationStatus.pending,
            ActionItem.phase.in_([Phase.closing_loop, Phase.done]))) or 0)


def seed_pending_notifications(engine: Engine, rng: random.Random, *, total: int = PENDING_NOTIFICATIONS) -> int:
    """Tops the closed-loop queue up to `total` pending notifications on shipped items, drawn from
    a pool of customers so the queue groups some of them; returns how many it shows."""
    with engine.connect() as conn:
        shipped = list(conn.scalars(select(ActionItem.id).where(
            ActionItem.phase.in_([Phase.closing_loop, Phase.done]))))
    missing = max(0, total - _queued(engine))
    for lo in range(0, missing, 5000):
        rows = []
        for _ in range(lo, min(missing, lo + 5000)):
            who = rng.randrange(CUSTOMERS)
            rows.append({"action_item_id": rng.choice(shipped), "customer_name": f"Customer {who}",
                         "contact": f"customer{who}@bench.example", "channel": ContactChannel.email,
                         "message": "", "status": NotificationStatus.pending, "note": "", "version": 1})
        with engine.begin() as conn:
            conn.execute(insert(ChecklistEntry), rows)
    return _queued(engine)


def owner_with_most_open_items(engine: Engine) -> tuple[int, int]:
    """(person id, open items): the owner whose My work page is the longest."""
    with engine.connect() as conn:
        row = conn.execute(select(ActionItem.owner_id, func.count()).where(ActionItem.phase.in_(OPEN_PHASES))
                           .group_by(ActionItem.owner_id).order_by(func.count().desc()).limit(1)).one()
    return int(row[0]), int(row[1])
