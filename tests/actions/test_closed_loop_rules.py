"""The rules of keeping a checklist in step with its friction points (tracker/actions/closed_loop.py),
through the friction and moment services that change the sources."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from tests.factories import actions as af
from tracker.actions import checklist, hooks, service
from tracker.actions.hooks import ActionItemChange
from tracker.actions.models import ActionItem, ChecklistEntry, NotificationStatus, Phase
from tracker.errors import Conflict
from tracker.friction import service as friction
from tracker.friction.models import AffectedCustomer, FrictionPoint
from tracker.moments import service as moments
from tracker.people.models import Person, Role

ROOT = Path(__file__).resolve().parents[2]


def _entries(session: Session, item: ActionItem) -> dict[str, ChecklistEntry]:
    session.expire_all()
    return {e.customer_name: e for e in session.scalars(
        checklist.entries_query(item.id).order_by(ChecklistEntry.id))}


def _lead(session: Session) -> Person:
    return factories.person(session, Role.lead)


def _customer_id(session: Session, fp: FrictionPoint, name: str) -> int:
    return session.scalars(select(AffectedCustomer.id).where(
        AffectedCustomer.friction_point_id == fp.id, AffectedCustomer.name == name)).one()


def _to(session: Session, item: ActionItem, *phases: Phase) -> None:
    for phase in phases:
        service.change_phase(session, actor=None, item_id=item.id, to=phase,
                             expected_version=None, reason="test")


def test_same_contact_on_two_friction_points_is_told_once_and_survives_one_removal(
    session: Session,
) -> None:
    lead = _lead(session)
    m = af.moment(session)
    vat = af.friction(session, moment_id=m.id, customers=[("Dana", "dana@ruiz.example")])
    hold = af.friction(session, moment_id=m.id, customers=[("Dana R", "Dana@Ruiz.example ")])
    item = af.action_item(session, moment_id=m.id)
    assert list(_entries(session, item)) == ["Dana"]
    # Dana leaves the VAT friction point but is still affected through the other one: the
    # pending entry stays and now points at that record.
    friction.delete_customer(session, actor=lead, friction_id=vat.id,
                             customer_id=_customer_id(session, vat, "Dana"))
    entry = _entries(session, item)["Dana"]
    assert entry.status is NotificationStatus.pending
    assert entry.affected_customer_id == _customer_id(session, hold, "Dana R")
    # Ungrouping the other one leaves her affected by nothing: the pending entry goes.
    moments.ungroup_friction_point(session, actor=lead, moment_id=m.id, friction_point_id=hold.id)
    assert _entries(session, item) == {}


def test_hand_added_entries_are_never_removed_and_count_for_contacts(session: Session) -> None:
    lead = _lead(session)
    m = af.moment(session)
    fp = af.friction(session, moment_id=m.id, customers=[("Dana", "dana@ruiz.example")])
    item = af.action_item(session, moment_id=m.id)
    checklist.add_entry(session, actor=lead, item_id=item.id,
                        data={"customer_name": "Lee by phone", "contact": "+1 555 0100 22"})
    # The same person recorded on the friction point later is already listed (by hand).
    friction.add_customer(session, actor=lead, friction_id=fp.id,
                          data={"name": "Lee Park", "contact": "+15550100 22", "segment": None})
    assert set(_entries(session, item)) == {"Dana", "Lee by phone"}
    moments.ungroup_friction_point(session, actor=lead, moment_id=m.id, friction_point_id=fp.id)
    assert set(_entries(session, item)) == {"Lee by phone"}


def test_moving_a_friction_point_between_moments_moves_its_pending_customers(
    session: Session,
) -> None:
    lead = _lead(session)
    a, b = af.moment(session), af.moment(session)
    fp = af.friction(session, moment_id=a.id, customers=[("Dana", "dana@ruiz.example"),
                                                         ("Lee", "lee@park.example")])
    item_a = af.action_item(session, moment_id=a.id)
    item_b = af.action_item(session, moment_id=b.id)
    checklist.update_entry(session, actor=lead, item_id=item_a.id,
                           entry_id=_entries(session, item_a)["Dana"].id, expected_version=None,
                           data={"status": "acknowledged"})
    friction.update_friction(session, actor=lead, friction_id=fp.id, expected_version=fp.version,
                             data={"moment_id": b.id})
    after_a = _entries(session, item_a)
    assert set(after_a) == {"Dana"} and after_a["Dana"].status is NotificationStatus.acknowledged
    assert {n: e.status for n, e in _entries(session, item_b).items()} == {
        "Dana": NotificationStatus.pending, "Lee": NotificationStatus.pending}


def test_grouping_several_points_at_once_and_creating_a_moment(session: Session) -> None:
    lead = _lead(session)
    m = af.moment(session)
    af.friction(session, moment_id=m.id, customers=[("Dana", "dana@ruiz.example")])
    item = af.action_item(session, moment_id=m.id)
    one = af.friction(session, moment_id=None, customers=[("Ana", "ana@costa.example")])
    two = af.friction(session, moment_id=None, customers=[("Bo", "bo@chen.example"),
                                                          ("Dana again", "dana@ruiz.example")])
    moments.group_friction_points(session, actor=lead, moment_id=m.id,
                                  friction_point_ids=[one.id, two.id])
    assert list(_entries(session, item)) == ["Dana", "Ana", "Bo"]
    # A new moment has no items yet: grouping into it touches nobody's checklist.
    three = af.friction(session, moment_id=None, customers=[("Kim", "kim@lo.example")])
    moments.create_moment(session, actor=lead, data={"title": "New",
                                                     "friction_point_ids": [three.id]})
    assert list(_entries(session, item)) == ["Dana", "Ana", "Bo"]


def test_changes_go_through_the_item_hook(session: Session) -> None:
    lead = _lead(session)
    m = af.moment(session)
    fp = af.friction(session, moment_id=m.id, customers=[("Dana", "dana@ruiz.example")])
    item = af.action_item(session, moment_id=m.id)
    seen: list[ActionItemChange] = []

    def listener(_: Session, change: ActionItemChange) -> None:
        seen.append(change)

    hooks.add_listener(listener)
    try:
        lee = friction.add_customer(session, actor=lead, friction_id=fp.id,
                                    data={"name": "Lee", "contact": "lee@park.example",
                                          "segment": None})
        friction.delete_customer(session, actor=lead, friction_id=fp.id, customer_id=lee.id)
    finally:
        hooks.remove_listener(listener)
    assert [(c.item.id, c.action, c.entity_type, c.actor) for c in seen] == [
        (item.id, "checklist_entry_added", "checklist_entry", lead),
        (item.id, "checklist_entry_removed", "checklist_entry", lead),
    ]
    assert seen[1].changes["customer_name"] == "Lee"
    assert seen[1].changes["reason"] == f"Lee was removed from friction point {fp.id}"


def test_the_done_gate_counts_customers_the_listener_never_saw(session: Session) -> None:
    """Customers stored before checklists followed their sources (or by a bulk load) still
    hold the done gate, and a reinstated item catches up with what it missed while cancelled."""
    m = af.moment(session)
    fp = af.friction(session, moment_id=m.id)
    item = af.action_item(session, moment_id=m.id)
    cancelled = af.action_item(session, moment_id=m.id)
    _to(session, cancelled, Phase.cancelled)
    _to(session, item, Phase.implementing, Phase.closing_loop)
    session.add(AffectedCustomer(friction_point_id=fp.id, name="Dana", contact="dana@x.example"))
    session.flush()
    with pytest.raises(Conflict) as refused:
        _to(session, item, Phase.done)
    assert refused.value.details["pending_checklist"] == 1
    _to(session, cancelled, Phase.planned)
    assert list(_entries(session, cancelled)) == ["Dana"]


@pytest.mark.parametrize("package", ["friction", "moments"])
def test_friction_and_moment_services_do_not_import_actions(package: str) -> None:
    """Actions build on friction and moments, and listen to them: never the other way round
    (moments' read models may read action-item rows, but no service reaches into actions)."""
    for path in sorted((ROOT / "tracker" / package).glob("*.py")):
        if path.name in {"status.py", "queries.py", "pin_schemas.py"}:
            continue  # read models: they count and show action items by phase (tracker.actions.models)
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.startswith("tracker.actions") for n in names), path
