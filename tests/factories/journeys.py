"""Journey maps and friction points for tests. Nothing is committed: the test rolls back."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy.orm import Session

from tracker.friction.models import AffectedCustomer, Evidence, EvidenceSource, FrictionPoint
from tracker.journeys.models import Channel, JourneyMap, JourneyStage, JourneyStep, MapKind

_seq = itertools.count(1)

DEFAULT_STAGES: dict[str, list[str]] = {
    "Notice": ["Open invoice", "Compare with last month"],
    "Contact support": ["Call the line", "Explain the problem"],
}


def journey_map(
    session: Session, stages: dict[str, list[str]] | None = None, **fields: Any
) -> JourneyMap:
    """A map whose stages/steps come from {stage name: [step names]}, scores 0, channel web."""
    n = next(_seq)
    values: dict[str, Any] = {
        "name": f"Journey {n}", "kind": MapKind.customer, "persona": "Small-business owner",
        "scope_start": "Invoice arrives", "scope_end": "Invoice trusted",
        "objectives": [],
    }
    values.update(fields)
    built = [
        JourneyStage(name=stage, position=i, steps=[
            JourneyStep(name=step, position=j, channel=Channel.web, emotion_score=0)
            for j, step in enumerate(steps)
        ])
        for i, (stage, steps) in enumerate((stages or DEFAULT_STAGES).items())
    ]
    jmap = JourneyMap(**values, stages=built)
    session.add(jmap)
    session.flush()
    return jmap


def steps_of(jmap: JourneyMap) -> list[JourneyStep]:
    """The map's steps in journey order (only for maps built by `journey_map`)."""
    return [step for stage in jmap.stages for step in stage.steps]


def friction_point(
    session: Session, step: JourneyStep, *, evidence: int = 0, customers: int = 0, **fields: Any
) -> FrictionPoint:
    n = next(_seq)
    values: dict[str, Any] = {"title": f"Friction {n}", "description": "", "step_id": step.id,
                              "journey_map_id": step.stage.journey_map_id}
    values.update(fields)
    fp = FrictionPoint(**values)
    fp.evidence = [Evidence(source=EvidenceSource.workshop, note=f"note {i}")
                   for i in range(evidence)]
    fp.affected_customers = [AffectedCustomer(name=f"Customer {i}", contact=f"c{n}-{i}@example.com")
                             for i in range(customers)]
    session.add(fp)
    session.flush()
    return fp
