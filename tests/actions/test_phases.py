"""The phase machine: every legal and illegal move, reasons, the done-gate and waivers."""

from __future__ import annotations

import pytest

from tests import factories
from tests.factories import actions as af
from tracker.actions import checklist, service
from tracker.actions.models import ActionItem, Phase
from tracker.errors import Conflict, Forbidden, InvalidInput, PreconditionFailed
from tracker.people.models import Role

P = Phase
# Where each phase may go (blocked was blocked from planned in these tests).
LEGAL: dict[Phase, list[Phase]] = {
    P.planned: [P.implementing, P.blocked, P.cancelled],
    P.implementing: [P.training, P.closing_loop, P.blocked, P.cancelled],
    P.training: [P.closing_loop, P.blocked, P.cancelled],
    P.closing_loop: [P.done, P.blocked, P.cancelled],
    P.done: [P.implementing],
    P.blocked: [P.planned, P.cancelled],
    P.cancelled: [P.planned],
}
PATH: dict[Phase, list[Phase]] = {
    P.planned: [],
    P.implementing: [P.implementing],
    P.training: [P.implementing, P.training],
    P.closing_loop: [P.implementing, P.closing_loop],
    P.done: [P.implementing, P.closing_loop, P.done],
    P.blocked: [P.blocked],
    P.cancelled: [P.cancelled],
}


def item_in(session, phase: Phase, **data) -> ActionItem:  # type: ignore[no-untyped-def]
    item = af.action_item(session, **data)
    for step in PATH[phase]:
        service.change_phase(session, actor=None, item_id=item.id, to=step, expected_version=None,
                             reason="setting up")
    return item


@pytest.mark.parametrize("source", list(Phase))
@pytest.mark.parametrize("target", list(Phase))
def test_every_transition(session, source: Phase, target: Phase) -> None:
    item = item_in(session, source)
    if target in LEGAL[source]:
        moved = service.change_phase(session, actor=None, item_id=item.id, to=target,
                                     expected_version=item.version, reason="why not")
        assert moved.phase is target
    else:
        with pytest.raises(Conflict) as err:
            service.change_phase(session, actor=None, item_id=item.id, to=target,
                                 expected_version=None, reason="why not")
        assert err.value.details["current"] == source.value
        assert err.value.details["allowed"] == [p.value for p in LEGAL[source]]
        assert f"allowed=[{', '.join(p.value for p in LEGAL[source])}]" in err.value.message
        assert session.get(ActionItem, item.id).phase is source


def test_illegal_move_over_http_names_phases(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    item = af.action_item(session)
    response = client.post(f"/action-items/{item.id}/phase", headers=lead,
                           json={"to": "done", "version": 1})
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["details"]["current"] == "planned"
    assert error["details"]["allowed"] == ["implementing", "blocked", "cancelled"]
    assert "planned" in error["message"] and "implementing" in error["message"]


def test_block_remembers_phase_and_needs_reason(session) -> None:
    item = item_in(session, P.training, training_needed=True)
    with pytest.raises(InvalidInput) as err:
        service.change_phase(session, actor=None, item_id=item.id, to=P.blocked,
                             expected_version=None, reason="  ")
    assert err.value.field == "reason"
    service.change_phase(session, actor=None, item_id=item.id, to=P.blocked, expected_version=None,
                         reason="Trainer is on leave")
    assert (item.phase, item.phase_before_block, item.blocked_reason) == (
        P.blocked, P.training, "Trainer is on leave")
    with pytest.raises(Conflict) as conflict:
        service.change_phase(session, actor=None, item_id=item.id, to=P.closing_loop,
                             expected_version=None)
    assert conflict.value.details["allowed"] == ["training", "cancelled"]
    service.change_phase(session, actor=None, item_id=item.id, to=P.training, expected_version=None)
    assert (item.phase, item.phase_before_block, item.blocked_reason) == (P.training, None, None)


def test_cancel_needs_reason_and_a_lead(session) -> None:
    owner = factories.person(session, Role.owner)
    lead = factories.person(session, Role.lead)
    item = af.action_item(session, owner=owner)
    with pytest.raises(Forbidden):
        service.change_phase(session, actor=owner, item_id=item.id, to=P.cancelled,
                             expected_version=None, reason="no longer needed")
    with pytest.raises(InvalidInput):
        service.change_phase(session, actor=lead, item_id=item.id, to=P.cancelled,
                             expected_version=None)
    service.change_phase(session, actor=lead, item_id=item.id, to=P.cancelled,
                         expected_version=None, reason="Duplicate of another item")
    with pytest.raises(Forbidden):  # reinstating is a lead's call too
        service.change_phase(session, actor=owner, item_id=item.id, to=P.planned,
                             expected_version=None)
    service.change_phase(session, actor=lead, item_id=item.id, to=P.planned, expected_version=None)
    assert item.phase is P.planned


def test_done_stamps_and_reopen_clears_completed_at(session) -> None:
    item = item_in(session, P.done)
    assert item.completed_at is not None
    service.change_phase(session, actor=None, item_id=item.id, to=P.implementing,
                         expected_version=None, actor_label="jira:alice")
    assert item.completed_at is None and item.phase is P.implementing


def test_training_needed_blocks_shortcut_until_waived(session) -> None:
    lead = factories.person(session, Role.lead)
    item = item_in(session, P.implementing, training_needed=True, training_target=5)
    with pytest.raises(Conflict) as err:
        service.change_phase(session, actor=None, item_id=item.id, to=P.closing_loop,
                             expected_version=None)
    assert err.value.details["allowed"] == ["training", "blocked", "cancelled"]
    assert "training is needed" in err.value.message
    service.waive(session, actor=lead, item_id=item.id, what="training",
                  reason="Layout change only", expected_version=item.version)
    service.change_phase(session, actor=None, item_id=item.id, to=P.closing_loop,
                         expected_version=None)
    service.change_phase(session, actor=None, item_id=item.id, to=P.done, expected_version=None)
    assert item.phase is P.done


@pytest.mark.parametrize(("sessions", "trained", "target", "ok"), [
    (0, 0, 0, False),   # needed but no session held
    (1, 4, 5, False),   # short of the target
    (2, 5, 5, True),
    (1, 9, 5, True),
])
def test_done_gate_training(session, sessions: int, trained: int, target: int, ok: bool) -> None:
    item = item_in(session, P.training, training_needed=True, training_target=target)
    service.update_training(session, actor=None, item_id=item.id, expected_version=None,
                            data={"sessions_held": sessions, "people_trained": trained})
    service.change_phase(session, actor=None, item_id=item.id, to=P.closing_loop,
                         expected_version=None)
    if ok:
        service.change_phase(session, actor=None, item_id=item.id, to=P.done, expected_version=None)
        assert item.phase is P.done
    else:
        with pytest.raises(Conflict) as err:
            service.change_phase(session, actor=None, item_id=item.id, to=P.done,
                                 expected_version=None)
        assert err.value.details["missing"] == ["training"]
        assert f"{trained} of {target}" in err.value.message
        assert item.phase is P.closing_loop


def test_done_gate_checklist_and_waiver(client, session) -> None:
    lead, lead_h = factories.user(session, Role.lead)
    owner, owner_h = factories.user(session, Role.owner)
    m = af.moment(session)
    af.friction(session, moment_id=m.id, customers=[("A", "a@example.com"), ("B", "b@example.com")])
    item = item_in(session, P.closing_loop, owner=owner, moment_id=m.id)
    session.commit()
    url = f"/action-items/{item.id}"
    refused = client.post(f"{url}/phase", headers=owner_h, json={"to": "done", "version": item.version})
    assert refused.status_code == 409
    assert refused.json()["error"]["details"]["missing"] == ["checklist"]
    assert "2 closed-loop checklist entries" in refused.json()["error"]["message"]
    # Tell one customer: still one pending.
    entries = client.get(f"{url}/checklist", headers=owner_h).json()["items"]
    client.patch(f"{url}/checklist/{entries[0]['id']}", headers=owner_h,
                 json={"status": "notified", "version": 1})
    detail = client.get(url, headers=owner_h).json()
    assert detail["done_blockers"] == ["checklist"] and detail["checklist"]["pending"] == 1
    # Owners cannot waive; leads can, with a reason.
    assert client.post(f"{url}/waivers", headers=owner_h, json={
        "what": "checklist", "reason": "x", "version": detail["version"]}).status_code == 403
    no_reason = client.post(f"{url}/waivers", headers=lead_h, json={
        "what": "checklist", "reason": "", "version": detail["version"]})
    assert no_reason.status_code == 422 and no_reason.json()["error"]["field"] == "reason"
    waived = client.post(f"{url}/waivers", headers=lead_h, json={
        "what": "checklist", "reason": "B closed their account", "version": detail["version"]})
    assert waived.status_code == 200 and waived.json()["checklist_waived_reason"]
    done = client.post(f"{url}/phase", headers=owner_h,
                       json={"to": "done", "version": waived.json()["version"]})
    assert done.status_code == 200 and done.json()["completed_at"]
    assert lead.id != owner.id


def test_all_notified_checklist_allows_done(session) -> None:
    m = af.moment(session)
    af.friction(session, moment_id=m.id, customers=[("A", "a@example.com"), ("B", "+1 555 0100 22")])
    item = item_in(session, P.closing_loop, moment_id=m.id)
    entries = session.scalars(checklist.entries_query(item.id)).all()
    for entry, status in zip(entries, ["acknowledged", "unreachable"], strict=True):
        checklist.update_entry(session, actor=None, item_id=item.id, entry_id=entry.id,
                               expected_version=None, data={"status": status})
    service.change_phase(session, actor=None, item_id=item.id, to=P.done, expected_version=None)
    assert item.phase is P.done


def test_phase_endpoint_versions(client, session) -> None:
    owner, headers = factories.user(session, Role.owner)
    item = af.action_item(session, owner=owner)
    url = f"/action-items/{item.id}/phase"
    assert client.post(url, headers=headers, json={"to": "implementing"}).status_code == 428
    assert client.post(url, headers=headers, json={"to": "implementing", "version": 7}).status_code == 412
    ok = client.post(url, headers={**headers, "If-Match": '"1"'}, json={"to": "implementing"})
    assert ok.status_code == 200 and ok.headers["ETag"] == '"2"'
    bad = client.post(url, headers=headers, json={"to": "finished", "version": 2})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "to"


def test_waive_validation(session) -> None:
    lead = factories.person(session, Role.lead)
    item = af.action_item(session)
    with pytest.raises(InvalidInput) as err:
        service.waive(session, actor=lead, item_id=item.id, what="budget", reason="x",
                      expected_version=None)
    assert err.value.field == "what"
    with pytest.raises(PreconditionFailed):
        service.waive(session, actor=lead, item_id=item.id, what="training", reason="x",
                      expected_version=item.version + 1)
