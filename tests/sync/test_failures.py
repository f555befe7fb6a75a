"""What a sync must survive: vendor faults, unknown outcomes, workflow drift, conflicts, missed webhooks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from integrations.emulation import Fault, FaultPlan
from tests.sync.test_roundtrip import forward_webhooks, link_of, push
from tracker.actions.models import ActionItem, Phase
from tracker.activity.models import ActivityEntry
from tracker.outbox.models import OutboxMessage, OutboxState
from tracker.sync.inbound import queue_reconciliation
from tracker.sync.models import LinkState, TicketTarget
from tracker.types import utcnow


def _create_path(vendor) -> str:  # type: ignore[no-untyped-def]
    return r"/rest/api/2/issue$" if vendor.kind == "jira" else r"/issues$"


def _run_with_time_travel(worker, rounds: int = 8) -> None:  # type: ignore[no-untyped-def]
    """Run the worker, jumping past each backoff so retries happen now."""
    start = utcnow()
    for hour in range(rounds):
        worker.ctx.clock = lambda h=hour: start + timedelta(hours=h)
        worker.run_until_idle()


@pytest.mark.parametrize("fault", [Fault.TIMEOUT_AFTER_WRITE, Fault.DROP_AFTER_WRITE, Fault.SERVER_ERROR,
                                   Fault.RATE_LIMITED, Fault.DROP])
def test_faults_on_create_never_make_two_tickets(sync_client, world, vendor, worker, session, fault) -> None:
    vendor.emulator.faults = FaultPlan(queued=[fault], methods=("POST",), path_pattern=_create_path(vendor),
                                       timeout_seconds=4.0)
    item = world.item()
    push(sync_client, world, item.id)
    _run_with_time_travel(worker)
    assert len(vendor.tickets()) == 1
    link = link_of(session, item.id)
    assert link.state is LinkState.linked and link.remote_key == vendor.tickets()[0]["key"]
    assert vendor.emulator.faults.injected, "the fault was not injected"
    message = session.scalar(select(OutboxMessage).order_by(OutboxMessage.id.desc()))
    assert message.state is OutboxState.done and message.attempts >= 2


def test_worker_dying_between_create_and_record_finds_its_ticket(sync_client, world, vendor, worker, session) -> None:
    item = world.item()
    push(sync_client, world, item.id)
    # Simulate the crash: the intent is recorded and the ticket created, but the outcome never stored.
    from tracker.sync import push as push_module

    recorded = push_module._record_outcome
    push_module._record_outcome = lambda *a, **k: (_ for _ in ()).throw(SystemExit("killed"))
    try:
        with pytest.raises(SystemExit):
            worker.run_once()
    finally:
        push_module._record_outcome = recorded
    assert len(vendor.tickets()) == 1
    # The lease runs out; the next worker looks for the marker instead of creating again.
    worker.ctx.clock = lambda: utcnow() + timedelta(hours=1)
    worker.run_until_idle()
    assert len(vendor.tickets()) == 1
    assert link_of(session, item.id).remote_key == vendor.tickets()[0]["key"]


def test_revoked_credentials_break_the_link_and_stop_retrying(sync_client, world, vendor, worker, session) -> None:
    if vendor.kind == "jira":
        vendor.emulator.revoke("tracker-bot@example.com")
    else:
        vendor.emulator.revoke_token("ghp_trackerbot")
    item = world.item()
    push(sync_client, world, item.id)
    _run_with_time_travel(worker, rounds=3)
    link = link_of(session, item.id)
    assert link.state is LinkState.broken and "credentials" in link.broken_reason
    assert vendor.tickets() == []
    message = session.scalar(select(OutboxMessage).order_by(OutboxMessage.id.desc()))
    assert message.state is OutboxState.dead and message.attempts == 1


@pytest.mark.parametrize("vendor", ["jira"], indirect=True)
def test_unreachable_jira_status_names_the_workflow(sync_client, world, vendor, worker, session) -> None:
    target = session.get(TicketTarget, world.target.id)
    target.project = "OPS"  # To Do -> In Progress -> In Review -> Done; Done demands a resolution
    session.commit()
    item = world.item(phase=Phase.implementing)
    push(sync_client, world, item.id)
    worker.run_until_idle()
    assert link_of(session, item.id).state is LinkState.linked
    r = sync_client.post(f"/action-items/{item.id}/phase", headers=world.owner_headers,
                         json={"to": "closing_loop", "version": 1})
    assert r.status_code == 200, r.text
    r = sync_client.post(f"/action-items/{item.id}/phase", headers=world.owner_headers,
                         json={"to": "done", "version": 2})
    assert r.status_code == 200, r.text
    worker.run_until_idle()
    link = link_of(session, item.id)
    assert link.state is LinkState.broken
    # The walk reaches In Review; the last step wants a resolution this target does not give.
    assert "demands 'Resolution' (resolution)" in link.broken_reason and "In Review" in link.broken_reason


def test_missed_webhook_is_caught_up_by_reconciliation(sync_client, world, vendor, worker, sink, session) -> None:
    items = [world.item(title=f"Item {n}") for n in range(3)]
    for item in items:
        push(sync_client, world, item.id)
    worker.run_until_idle()
    forward_webhooks(sync_client, vendor, sink)
    queue_reconciliation(session)
    session.commit()
    worker.run_until_idle()  # first pass: sets the watermark
    key = link_of(session, items[1].id).remote_key
    vendor.retitle(key, "Changed while our webhook endpoint was down")
    vendor.drain()
    sink.take()  # the webhook is lost
    queue_reconciliation(session)
    session.commit()
    worker.run_until_idle()
    session.expire_all()
    assert session.get(ActionItem, items[1].id).title == "Changed while our webhook endpoint was down"
    assert session.get(ActionItem, items[0].id).title == "Item 0"


def test_conflict_the_later_change_wins(sync_client, world, vendor, worker, sink, session) -> None:
    item = world.item()
    push(sync_client, world, item.id)
    worker.run_until_idle()
    forward_webhooks(sync_client, vendor, sink)
    key = link_of(session, item.id).remote_key
    # The tracker changes the title first (not yet pushed), then someone retitles the ticket.
    r = sync_client.patch(f"/action-items/{item.id}", headers={**world.lead_headers, "If-Match": '"1"'},
                          json={"title": "Tracker title"})
    assert r.status_code == 200
    stored = session.get(ActionItem, item.id)
    session.refresh(stored)
    stored.updated_at = utcnow() - timedelta(minutes=5)  # our edit happened five minutes ago
    session.commit()
    vendor.retitle(key, "Ticket title, written later")
    forward_webhooks(sync_client, vendor, sink)
    # The pull is handled before the push (one ordering key, oldest first): the ticket is newer.
    worker.run_until_idle()
    session.expire_all()
    assert session.get(ActionItem, item.id).title == "Ticket title, written later"
    assert vendor.ticket(key)["title"] == "Ticket title, written later"


def test_conflict_the_tracker_wins_when_it_changed_later(sync_client, world, vendor, worker, sink, session) -> None:
    item = world.item()
    push(sync_client, world, item.id)
    worker.run_until_idle()
    forward_webhooks(sync_client, vendor, sink)
    key = link_of(session, item.id).remote_key
    vendor.retitle(key, "Ticket title, written first")
    vendor.drain()
    stored = session.get(ActionItem, item.id)
    r = sync_client.patch(f"/action-items/{item.id}", headers={**world.lead_headers, "If-Match": '"1"'},
                          json={"title": "Tracker title, written later"})
    assert r.status_code == 200
    session.refresh(stored)
    stored.updated_at = utcnow() + timedelta(minutes=5)
    session.commit()
    forward_webhooks(sync_client, vendor, sink)
    worker.run_until_idle()
    session.expire_all()
    assert session.get(ActionItem, item.id).title == "Tracker title, written later"
    assert vendor.ticket(key)["title"] == "Tracker title, written later"
    conflict = session.scalar(select(ActivityEntry).where(ActivityEntry.action_item_id == item.id,
                                                          ActivityEntry.action == "sync_conflict"))
    assert conflict is not None and conflict.changes["kept"] == "tracker"
