"""Root-cause investigations on moments of truth."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tracker.activity.service import apply_changes, record
from tracker.api.versioning import check_version
from tracker.errors import Forbidden, InvalidInput, NotFound
from tracker.friction.models import FrictionPoint
from tracker.investigations.models import Investigation, InvestigationStatus
from tracker.moments.models import MomentOfTruth
from tracker.people.models import Person, Role

# What the investigation's owner may change; title, owner and due date are the lead's call.
OWNER_EDITABLE = {"findings", "hypotheses", "root_cause", "root_cause_category",
                  "root_cause_area", "status"}
NOT_NULL = {"title", "hypotheses", "findings", "status"}


def is_lead(person: Person) -> bool:
    return person.role in (Role.lead, Role.admin)


def get_investigation(session: Session, investigation_id: int) -> Investigation:
    inv = session.get(Investigation, investigation_id)
    if inv is None:
        raise NotFound("investigation", investigation_id)
    return inv


def check_person(session: Session, person_id: int | None, *, field: str) -> None:
    """An investigation's owner must exist, be active, and be allowed to write (not a viewer)."""
    if person_id is None:
        return
    person = session.get(Person, person_id)
    if person is None:
        raise InvalidInput(f"person {person_id} does not exist", field=field)
    if not person.active:
        raise InvalidInput(f"person {person_id} is inactive", field=field)
    if person.role is Role.viewer:
        raise InvalidInput(f"person {person_id} is a viewer and could not edit the investigation",
                           field=field)


def _clean_hypotheses(items: list[str], field: str) -> list[str]:
    cleaned = [h.strip() for h in items]
    for index, h in enumerate(cleaned):
        if not h:
            raise InvalidInput("a hypothesis cannot be blank", field=f"{field}.{index}")
    return cleaned


def validate_new(session: Session, data: dict[str, Any], *, prefix: str = "") -> None:
    """Check a new investigation's references without writing (promote reuses this)."""
    moment_id = data.get("moment_id")
    if moment_id is not None and session.get(MomentOfTruth, moment_id) is None:
        raise InvalidInput(f"moment {moment_id} does not exist", field=f"{prefix}moment_id")
    check_person(session, data.get("owner_id"), field=f"{prefix}owner_id")
    _clean_hypotheses(data.get("hypotheses") or [], f"{prefix}hypotheses")
    fp_id = data.get("friction_point_id")
    if fp_id is not None:
        fp = session.get(FrictionPoint, fp_id)
        if fp is None:
            raise InvalidInput(f"friction point {fp_id} does not exist",
                               field=f"{prefix}friction_point_id")
        if moment_id is not None and fp.moment_id != moment_id:
            raise InvalidInput(f"friction point {fp_id} is not grouped under moment {moment_id}",
                               field=f"{prefix}friction_point_id")


def create_investigation(session: Session, *, actor: Person, data: dict[str, Any]) -> Investigation:
    """data: moment_id, title, owner_id?, due_date?, hypotheses?, friction_point_id?."""
    validate_new(session, data)
    inv = Investigation(
        moment_id=data["moment_id"], title=data["title"], owner_id=data.get("owner_id"),
        due_date=data.get("due_date"), friction_point_id=data.get("friction_point_id"),
        hypotheses=_clean_hypotheses(data.get("hypotheses") or [], "hypotheses"),
        status=InvestigationStatus.open,
    )
    session.add(inv)
    session.flush()
    record(session, actor=actor, entity_type="investigation", entity_id=inv.id, action="created",
           changes={"title": inv.title, "owner_id": inv.owner_id, "status": inv.status,
                    "friction_point_id": inv.friction_point_id},
           moment_id=inv.moment_id)
    return inv


def update_investigation(
    session: Session, *, actor: Person, investigation_id: int, expected_version: int,
    data: dict[str, Any],
) -> Investigation:
    inv = get_investigation(session, investigation_id)
    if not is_lead(actor):
        if inv.owner_id != actor.id:
            raise Forbidden("only a lead or the investigation's owner may edit it")
        refused = sorted(set(data) - OWNER_EDITABLE)
        if refused:
            raise Forbidden(f"only a lead may change {', '.join(refused)}", field=refused[0])
    check_version(inv, expected_version, "investigation")
    for name in NOT_NULL & set(data):
        if data[name] is None:
            raise InvalidInput(f"{name} cannot be null", field=name)
    if "owner_id" in data:
        check_person(session, data["owner_id"], field="owner_id")
    if "hypotheses" in data:
        data["hypotheses"] = _clean_hypotheses(data["hypotheses"], "hypotheses")
    for name in ("root_cause", "root_cause_area"):
        if isinstance(data.get(name), str):
            data[name] = data[name].strip() or None
    _check_conclusion({**_state(inv), **data})
    changes = apply_changes(inv, data)
    if changes:
        session.flush()
        record(session, actor=actor, entity_type="investigation", entity_id=inv.id,
               action="concluded" if "status" in changes and
               inv.status is InvestigationStatus.concluded else "updated",
               changes=changes, moment_id=inv.moment_id)
    return inv


def _state(inv: Investigation) -> dict[str, Any]:
    return {"status": inv.status, "root_cause": inv.root_cause,
            "root_cause_category": inv.root_cause_category}


def _check_conclusion(state: dict[str, Any]) -> None:
    """A concluded investigation names its root cause and the category it falls in."""
    if state["status"] is not InvestigationStatus.concluded:
        return
    for name in ("root_cause", "root_cause_category"):
        if not state.get(name):
            raise InvalidInput(f"a concluded investigation needs a {name}", field=name)
