from __future__ import annotations

from fastapi import APIRouter, status

from tracker.api.deps import CurrentUser, DbSession, LeadOnly
from tracker.api.params import IdQuery
from tracker.moments.deps import DefaultWeights
from tracker.promote import chain, service
from tracker.promote.schemas import ChainOut, PromoteIn, PromoteOut

router = APIRouter(tags=["promote"])


@router.post("/promote", response_model=PromoteOut, status_code=status.HTTP_201_CREATED)
def promote(body: PromoteIn, session: DbSession, lead: LeadOnly,
            defaults: DefaultWeights) -> PromoteOut:
    """Promote a friction point or moment into an investigation and action items (lead)."""
    result = service.promote(session, actor=lead, data=body.model_dump(), defaults=defaults)
    return PromoteOut(**result.__dict__)


@router.get("/chain", response_model=ChainOut)
def get_chain(
    session: DbSession, _: CurrentUser,
    friction_point_id: IdQuery = None,
    moment_id: IdQuery = None,
    investigation_id: IdQuery = None,
    action_item_id: IdQuery = None,
) -> ChainOut:
    """The connected chain journey -> friction -> moment -> investigation -> action, from any link."""
    return chain.walk(session, friction_point_id=friction_point_id, moment_id=moment_id,
                      investigation_id=investigation_id, action_item_id=action_item_id)
