from __future__ import annotations

from fastapi import APIRouter

from tracker.api.deps import CurrentUser, DbSession
from tracker.api.params import IdQuery
from tracker.clock import Today
from tracker.moments.deps import DefaultWeights
from tracker.overview import insights
from tracker.overview.schemas import MatrixRow, ProgrammeOverview, RootCauses
from tracker.overview.service import programme_overview

router = APIRouter(tags=["programme"])


@router.get("/programme/overview", response_model=ProgrammeOverview)
def get_overview(session: DbSession, _: CurrentUser, today: Today) -> ProgrammeOverview:
    """The programme at a glance: phases, overdue, moments, closed loop, training, links, 12 weeks."""
    return programme_overview(session, today=today)


@router.get("/programme/root-causes", response_model=RootCauses)
def get_root_causes(session: DbSession, _: CurrentUser) -> RootCauses:
    """Investigations by root-cause category and by upstream area, most frequent first."""
    return insights.root_causes(session)


@router.get("/programme/priority-matrix", response_model=list[MatrixRow])
def get_priority_matrix(session: DbSession, _: CurrentUser, defaults: DefaultWeights,
                        journey_map_id: IdQuery = None) -> list[MatrixRow]:
    """Every moment of truth (of one map, if given) with its impact, effort, score and rank."""
    return insights.priority_matrix(session, journey_map_id=journey_map_id, defaults=defaults)
