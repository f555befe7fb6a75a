"""What the journey map pages show: the map's structure (the service the API reads), its
friction pins with the status of their fixes (`tracker.friction.queries`), the emotion curve,
and, for a line-up, the other map placed stage by stage beside it.

Cards and curve share one `Columns` layout: the template draws each step card `COLUMNS.width`
pixels wide with `COLUMNS.gap` between them (static/css/journeys.css says the same numbers),
and the curve puts each step's point at the centre of its column, so they line up exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from markupsafe import Markup
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from tracker.errors import InvalidInput
from tracker.friction.models import FrictionPoint
from tracker.friction.queries import FrictionPin, pins_for_map
from tracker.journeys.models import JourneyMap, JourneyStage, JourneyStep, MapKind
from tracker.journeys.service import get_map
from tracker.metrics.names import names_by_map
from tracker.web.charts import Columns, EmotionStep, emotion_curve, line_up, lineup_curves

COLUMNS = Columns(width=184.0, gap=12.0)  # = .jmap-col / .jmap-row gap in static/css/journeys.css
# The widest map (CSS pixels) that prints at full size on a landscape page (Letter and A4, 8 mm
# margins); wider maps are zoomed down in 5% steps so the whole map stays on one page.
PRINT_WIDTH = 980.0
PRINT_ZOOMS = tuple(range(100, 15, -5))  # the .jmap-print--zNN classes journeys.css defines


@dataclass(frozen=True)
class StepCard:
    step: JourneyStep
    stage: JourneyStage
    column: int
    pins: list[FrictionPin]


@dataclass(frozen=True)
class StageBlock:
    stage: JourneyStage
    cards: list[StepCard]


@dataclass(frozen=True)
class MapSummary:
    map: JourneyMap
    stages: int
    steps: int
    friction_points: int


@dataclass(frozen=True)
class MapPage:
    map: JourneyMap
    blocks: list[StageBlock]
    curve: Markup
    partners: list[JourneyMap]  # maps of the other kind, to line this one up with
    print_zoom: int  # percent
    friction_total: int
    overdue_total: int
    metric_names: list[str]


@dataclass(frozen=True)
class AlignedStage:
    """Stage k of both maps, `width` columns wide; a missing step is a None slot."""

    width: int
    customer: JourneyStage | None
    employee: JourneyStage | None
    customer_slots: list[StepCard | None]
    employee_slots: list[StepCard | None]


@dataclass(frozen=True)
class LineupPage:
    customer: JourneyMap
    employee: JourneyMap
    shown: JourneyMap  # the map whose URL this is
    stages: list[AlignedStage]
    curves: Markup
    print_zoom: int


def print_zoom(columns: int) -> int:
    natural = COLUMNS.total(columns)
    for zoom in PRINT_ZOOMS:
        if natural * zoom / 100 <= PRINT_WIDTH:
            return zoom
    return PRINT_ZOOMS[-1]


def _counts(session: Session, stmt: Select[int, int]) -> dict[int, int]:
    return {key: count for key, count in session.execute(stmt)}


def list_maps(session: Session) -> list[MapSummary]:
    """Every map with its size and friction count (three grouped queries, not one per map)."""
    maps = list(session.scalars(select(JourneyMap).order_by(JourneyMap.name, JourneyMap.id)))
    stages = _counts(session, select(JourneyStage.journey_map_id, func.count())
                     .group_by(JourneyStage.journey_map_id))
    steps = _counts(session, select(JourneyStage.journey_map_id, func.count(JourneyStep.id))
                    .join(JourneyStep, JourneyStep.stage_id == JourneyStage.id)
                    .group_by(JourneyStage.journey_map_id))
    friction = _counts(session, select(FrictionPoint.journey_map_id, func.count())
                       .group_by(FrictionPoint.journey_map_id))
    return [MapSummary(m, stages.get(m.id, 0), steps.get(m.id, 0), friction.get(m.id, 0)) for m in maps]


def _cards(session: Session, jmap: JourneyMap, today: date, *, in_full: int | None = None) -> list[StageBlock]:
    pins = pins_for_map(session, journey_map_id=jmap.id, today=today, in_full=in_full)
    blocks, column = [], 0
    for stage in jmap.stages:
        cards = []
        for step in stage.steps:
            cards.append(StepCard(step=step, stage=stage, column=column, pins=pins.get(step.id, [])))
            column += 1
        blocks.append(StageBlock(stage=stage, cards=cards))
    return blocks


def _emotion_steps(blocks: list[StageBlock]) -> list[EmotionStep]:
    return [EmotionStep(name=c.step.name, score=c.step.emotion_score, stage=c.stage.name,
                        stage_key=c.stage.id, step_id=c.step.id)
            for b in blocks for c in b.cards]


def _partners(session: Session, jmap: JourneyMap) -> list[JourneyMap]:
    other = MapKind.employee if jmap.kind is MapKind.customer else MapKind.customer
    return list(session.scalars(select(JourneyMap).where(JourneyMap.kind == other)
                                .order_by(JourneyMap.name, JourneyMap.id)))


def map_page(session: Session, *, map_id: int, today: date, in_full: int | None = None) -> MapPage:
    """The map; each pin lists its most urgent fixes, the pin of point `in_full` all of them."""
    jmap = get_map(session, map_id, structure=True)
    blocks = _cards(session, jmap, today, in_full=in_full)
    count = sum(len(b.cards) for b in blocks)
    pins = [p for b in blocks for c in b.cards for p in c.pins]
    curve = emotion_curve(_emotion_steps(blocks), columns=COLUMNS,
                          title=f"Emotion curve of {jmap.name}")
    return MapPage(map=jmap, blocks=blocks, curve=curve, partners=_partners(session, jmap),
                   print_zoom=print_zoom(count), friction_total=len(pins),
                   overdue_total=sum(1 for p in pins if p.overdue),
                   metric_names=names_by_map(session, [jmap.id])[jmap.id])


def lineup_page(session: Session, *, map_id: int, with_id: int, today: date) -> LineupPage:
    """The map and a map of the other kind, stage k beside stage k."""
    shown = get_map(session, map_id, structure=True)
    other = get_map(session, with_id, structure=True)
    if other.kind is shown.kind:
        raise InvalidInput(f"a {shown.kind.value} map lines up with an employee or customer map of the "
                           f"other kind; {other.name!r} is a {other.kind.value} map too", field="with")
    customer, employee = (shown, other) if shown.kind is MapKind.customer else (other, shown)
    # Stages without steps take no column on the curve, so they take none here either.
    c_blocks = [b for b in _cards(session, customer, today) if b.cards]
    e_blocks = [b for b in _cards(session, employee, today) if b.cards]
    lined = line_up(_emotion_steps(c_blocks), _emotion_steps(e_blocks))
    curves = lineup_curves(lined, columns=COLUMNS, customer_label=f"Customer: {customer.name}",
                           employee_label=f"Employee: {employee.name}",
                           title=f"{customer.name} lined up with {employee.name}")
    stages = []
    for k, width in enumerate(lined.widths):
        c = c_blocks[k] if k < len(c_blocks) else None
        e = e_blocks[k] if k < len(e_blocks) else None
        stages.append(AlignedStage(
            width=width, customer=c.stage if c else None, employee=e.stage if e else None,
            customer_slots=_slots(c, width, lined.starts[k]), employee_slots=_slots(e, width, lined.starts[k])))
    return LineupPage(customer=customer, employee=employee, shown=shown, stages=stages, curves=curves,
                      print_zoom=print_zoom(lined.columns))


def _slots(block: StageBlock | None, width: int, start: int) -> list[StepCard | None]:
    """A stage's cards in the aligned columns, padded with empty slots to the stage's width."""
    cards: list[StepCard | None] = []
    for j, card in enumerate(block.cards if block else []):
        cards.append(StepCard(step=card.step, stage=card.stage, column=start + j, pins=card.pins))
    return cards + [None] * (width - len(cards))
