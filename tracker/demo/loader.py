"""Load the demo programme in the caller's transaction (the CLI commits; tests roll back).

Built on the models directly, not the domain services, so the demo never waits on them; every
creation still gets an activity entry, as the services would write.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from tracker.activity.service import record
from tracker.auth.service import issue_token
from tracker.config import PriorityWeights
from tracker.demo import actions as action_data
from tracker.demo import friction as friction_data
from tracker.demo import journeys as journey_data
from tracker.demo import people as people_data
from tracker.demo.fixes import load_fixes
from tracker.demo.work import load_work
from tracker.errors import Conflict
from tracker.friction.models import AffectedCustomer, Evidence, EvidenceSource, FrictionPoint
from tracker.journeys.models import Channel, JourneyMap, JourneyStage, JourneyStep, MapKind
from tracker.metrics.names import add_named
from tracker.moments import priority
from tracker.moments.models import MomentOfTruth
from tracker.people.models import Person, Role, Team


@dataclass(frozen=True)
class DemoLogin:
    role: str
    name: str
    email: str
    token: str


def programme_is_empty(session: Session) -> bool:
    """`--if-empty` means: no journey map yet (the programme starts with a map)."""
    return not session.scalar(select(exists().where(JourneyMap.id.is_not(None))))


def priority_score(m: dict[str, Any], weights: PriorityWeights) -> float:
    """The shared moment-of-truth formula, with the settings' weights (the demo sets no row)."""
    return priority.score(priority.factors_of(_Factors(m)), priority.Weights.of(weights))


class _Factors:
    """Lets the formula read a demo dict the way it reads a model (attributes)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.__dict__.update({k: data[k] for k in priority.FACTORS})


class DemoBuilder:
    """Holds what has been created so far, by the data modules' keys."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now
        self.today: date = now.date()
        self.people: dict[str, Person] = {}
        self.teams: dict[str, Team] = {}
        self.maps: dict[str, JourneyMap] = {}
        self.steps: dict[str, JourneyStep] = {}
        self.moments: dict[str, MomentOfTruth] = {}
        self.friction: dict[str, FrictionPoint] = {}
        self._history: list[tuple[datetime, int, dict[str, Any]]] = []

    def ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)

    def log(self, actor: Person | None, entity_type: str, entity_id: int, at: datetime,
            action: str = "created", changes: dict[str, Any] | None = None,
            **ids: int | None) -> None:
        """Note an entry of the demo's history; `write_history` records them all in time order."""
        self._history.append((at, len(self._history), {
            "actor": actor, "entity_type": entity_type, "entity_id": entity_id, "action": action,
            "changes": changes or {}, **ids}))

    def write_history(self) -> None:
        # The log is read newest first by id, so entries are written in the order they happened
        # (the demo builds things in another order), each dated when it happened, not at load time.
        for at, _, fields in sorted(self._history, key=lambda h: (h[0], h[1])):
            entry = record(self.session, **fields)
            entry.at = at
        self._history.clear()

    def load_people(self) -> None:
        admin_at = self.ago(90)
        for row in people_data.PEOPLE:
            fields = {k: v for k, v in row.items() if k != "key"}
            person = Person(**{**fields, "role": Role(row["role"]), "created_at": admin_at})
            self.session.add(person)
            self.people[row["key"]] = person
        self.session.flush()
        admin = self.people["admin"]
        for person in self.people.values():
            self.log(admin, "person", person.id, admin_at,
                     changes={"email": person.email, "role": person.role})
        for row in people_data.TEAMS:
            team = Team(name=row["name"], department=row["department"],
                        lead_id=self.people[row["lead"]].id, slack_channel=row["slack_channel"],
                        timezone=row["timezone"], created_at=admin_at)
            self.session.add(team)
            self.teams[row["key"]] = team
        self.session.flush()
        for team in self.teams.values():
            self.log(admin, "team", team.id, admin_at, changes={"name": team.name})

    def load_maps(self) -> None:
        lead = self.people["lead"]
        for n, data in enumerate(journey_data.MAPS):
            created = self.ago(75 - n)
            jmap = JourneyMap(
                name=data["name"], kind=MapKind(data["kind"]), persona=data["persona"],
                scope_start=data["scope_start"], scope_end=data["scope_end"],
                objectives=data["objectives"],
                created_by_id=lead.id, created_at=created)
            for s_pos, (stage_name, steps) in enumerate(data["stages"], start=1):
                stage = JourneyStage(position=s_pos, name=stage_name)
                jmap.stages.append(stage)
                for p_pos, step in enumerate(steps, start=1):
                    fields = {k: v for k, v in step.items() if k not in ("key", "channel")}
                    obj = JourneyStep(position=p_pos, channel=Channel(step["channel"]), **fields)
                    stage.steps.append(obj)
                    self.steps[step["key"]] = obj
            self.session.add(jmap)
            self.session.flush()
            add_named(self.session, journey_map_id=jmap.id, names=data["success_metrics"], actor=lead)
            self.maps[data["key"]] = jmap
            self.log(lead, "journey_map", jmap.id, created,
                     changes={"name": jmap.name, "kind": jmap.kind})

    def load_moments(self, weights: PriorityWeights) -> None:
        lead = self.people["lead"]
        factors = ("reach", "severity", "emotional_weight", "business_impact", "effort",
                   "confidence")
        for n, data in enumerate(friction_data.MOMENTS):
            created = self.ago(55 - n)
            moment = MomentOfTruth(
                journey_map_id=self.maps[data["journey"]].id, title=data["title"],
                description=data["description"], score=priority_score(data, weights),
                rank_override=data.get("rank_override"),
                rank_override_reason=data.get("rank_override_reason"),
                created_by_id=lead.id, created_at=created, **{k: data[k] for k in factors})
            self.session.add(moment)
            self.session.flush()
            self.moments[data["key"]] = moment
            self.log(lead, "moment", moment.id, created, moment_id=moment.id,
                     changes={"title": moment.title, "score": moment.score})

    def load_friction(self) -> None:
        lead = self.people["lead"]
        for n, data in enumerate(friction_data.FRICTION):
            created = self.ago(60 - n / 4)
            moment = self.moments.get(data["moment"]) if data["moment"] else None
            fp = FrictionPoint(
                journey_map_id=self.maps[data["journey"]].id, step_id=self.steps[data["step"]].id,
                moment_id=moment.id if moment else None, title=data["title"],
                description=data["description"], upstream_cause=data["upstream_cause"],
                created_by_id=lead.id, created_at=created)
            fp.evidence = [Evidence(source=EvidenceSource(e["source"]), note=e["note"],
                                    link=e["link"]) for e in data["evidence"]]
            fp.affected_customers = [AffectedCustomer(**c) for c in data["customers"]]
            self.session.add(fp)
            self.session.flush()
            self.friction[data["key"]] = fp
            self.log(lead, "friction_point", fp.id, created,
                     moment_id=moment.id if moment else None,
                     changes={"title": fp.title, "evidence": len(data["evidence"]),
                              "affected_customers": len(data["customers"])})

    def issue_logins(self) -> list[DemoLogin]:
        logins = []
        for role, key in people_data.LOGINS:
            person = self.people[key]
            _, secret = issue_token(self.session, person=person, name="demo")
            logins.append(DemoLogin(role=role, name=person.name, email=person.email, token=secret))
        return logins


def load_demo(session: Session, *, now: datetime | None = None,
              weights: PriorityWeights | None = None) -> list[DemoLogin]:
    """Create the whole demo programme and return one fresh login per role."""
    emails = [p["email"] for p in people_data.PEOPLE]
    taken = sorted(session.scalars(select(Person.email).where(Person.email.in_(emails))))
    if taken:
        raise Conflict("the demo's people already exist: " + ", ".join(taken), field="email")
    builder = DemoBuilder(session, now or datetime.now(UTC))
    builder.load_people()
    builder.load_maps()
    builder.load_moments(weights or PriorityWeights())
    builder.load_friction()
    load_work(builder, action_data.INVESTIGATIONS, action_data.ACTIONS)
    load_fixes(builder, weights or PriorityWeights())
    builder.write_history()
    session.flush()
    return builder.issue_logins()
