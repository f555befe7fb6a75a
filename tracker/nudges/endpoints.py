from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Response
from sqlalchemy.orm import Session

from tracker.api.deps import CurrentUser, DbSession, LeadOnly, Writer
from tracker.api.pagination import Page, keyset_page
from tracker.api.params import IdPath, Limit
from tracker.api.versioning import IfMatch, etag, expected_version
from tracker.nudges import service
from tracker.nudges.models import Nudge, NudgeSchedule
from tracker.nudges.policy import Rules
from tracker.nudges.schemas import NudgeOut, NudgePolicyOut, NudgePolicyUpdate, SnoozeOut

router = APIRouter(tags=["nudges"])


def _policy_out(team_id: int, rules: Rules, version: int, response: Response) -> NudgePolicyOut:
    response.headers["ETag"] = etag(version)
    return NudgePolicyOut(team_id=team_id, **asdict(rules), is_default=version == 0, version=version)


@router.get("/teams/{team_id}/nudge-policy", response_model=NudgePolicyOut)
def get_nudge_policy(team_id: IdPath, session: DbSession, _: CurrentUser, response: Response) -> NudgePolicyOut:
    """The team's nudge policy (the defaults, version 0, until a lead sets one)."""
    rules, version = service.get_policy(session, team_id)
    return _policy_out(team_id, rules, version, response)


@router.put("/teams/{team_id}/nudge-policy", response_model=NudgePolicyOut)
def put_nudge_policy(
    team_id: IdPath, body: NudgePolicyUpdate, session: DbSession, lead: LeadOnly, response: Response,
    if_match: IfMatch = None,
) -> NudgePolicyOut:
    """Set the team's nudge policy (lead or admin); fields left out keep their value."""
    data = body.model_dump(exclude_unset=True, exclude={"version"})
    rules, version = service.put_policy(session, actor=lead, team_id=team_id, data=data,
                                        expected_version=expected_version(if_match, body.version))
    return _policy_out(team_id, rules, version, response)


@router.get("/action-items/{item_id}/nudges", response_model=Page[NudgeOut])
def list_nudges(
    item_id: IdPath, session: DbSession, _: CurrentUser, cursor: str | None = None, limit: Limit = 50,
) -> Page[NudgeOut]:
    """The nudges recorded for an action item, newest first."""
    rows, next_cursor = keyset_page(session, service.nudges_query(session, item_id), sort_column=Nudge.id,
                                    id_column=Nudge.id, descending=True, cursor=cursor, limit=limit)
    return Page(items=[NudgeOut.model_validate(n) for n in rows], next_cursor=next_cursor)


@router.post("/action-items/{item_id}/nudges", response_model=NudgeOut, status_code=202)
def nudge_now(item_id: IdPath, session: DbSession, lead: LeadOnly) -> NudgeOut:
    """Send the owner a reminder now, outside the schedule (a lead chasing an item)."""
    return NudgeOut.model_validate(service.nudge_now(session, actor=lead, item_id=item_id))


@router.post("/action-items/{item_id}/snooze", response_model=SnoozeOut)
def snooze_item(item_id: IdPath, session: DbSession, user: Writer) -> SnoozeOut:
    """Hold the item's nudges for the team's snooze length (its owner or a lead; 409 at the limit)."""
    until = service.snooze(session, actor=user, item_id=item_id)
    return _snooze_out(session, item_id, until)


def _snooze_out(session: Session, item_id: int, until: object) -> SnoozeOut:
    row = session.get(NudgeSchedule, item_id)
    assert row is not None  # snooze just wrote it
    item_team = service.get_item(session, item_id).team_id
    return SnoozeOut(action_item_id=item_id, snoozed_until=until, snoozes=row.snoozes,  # type: ignore[arg-type]
                     max_snoozes=service.rules_for(session, item_team).max_snoozes,
                     next_check_at=row.next_at)
