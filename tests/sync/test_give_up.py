"""Sync never gives up in silence, and a mapping that cannot work is refused when it is written."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select, update

from integrations.emulation import Fault, FaultPlan
from tests.sync.test_failures import _run_with_time_travel
from tests.sync.test_roundtrip import link_of, push
from tracker.activity.models import ActivityEntry
from tracker.outbox.models import OutboxMessage, OutboxState
from tracker.sync.models import LinkState, TicketTarget


def test_the_last_failed_attempt_breaks_the_link_with_the_reason(sync_client, world, vendor, worker, session,
                                                                 caplog) -> None:  # type: ignore[no-untyped-def]
    vendor.emulator.faults = FaultPlan(rate=1.0, kinds=(Fault.SERVER_ERROR,))
    item = world.item()
    push(sync_client, world, item.id)
    with caplog.at_level(logging.WARNING, logger="tracker.worker.runner"):
        _run_with_time_travel(worker, rounds=12)
    message = session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "ticket.sync"))
    assert message.state is OutboxState.dead and message.attempts == worker.max_attempts
    link = link_of(session, item.id)
    assert link.state is LinkState.broken
    assert link.broken_reason.startswith(f"gave up after {worker.max_attempts} attempts")
    broken = sync_client.get("/ticket-links?state=broken", headers=world.lead_headers).json()
    assert [entry["action_item_id"] for entry in broken["items"]] == [item.id]
    assert any("gave up after" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
    logged = session.scalar(select(ActivityEntry).where(ActivityEntry.action == "broken",
                                                        ActivityEntry.action_item_id == item.id))
    assert logged is not None and "gave up after" in logged.changes["reason"]


@pytest.mark.parametrize("bad_key", ["status_for_phas", "labels"])
def test_a_mapping_with_an_unknown_key_is_refused_naming_it(sync_client, world, vendor, bad_key: str) -> None:  # type: ignore[no-untyped-def]
    body = {"name": "with a typo", "kind": vendor.kind, "connection": vendor.connection_name,
            "project": vendor.project, "mapping": {bad_key: {}}}
    created = sync_client.post("/ticket-targets", headers=world.lead_headers, json=body)
    assert created.status_code == 422, created.text
    assert created.json()["error"]["field"] == "mapping" and repr(bad_key) in created.json()["error"]["message"]
    target = sync_client.get(f"/ticket-targets/{world.target.id}", headers=world.lead_headers)
    patched = sync_client.patch(f"/ticket-targets/{world.target.id}", json={"mapping": {bad_key: {}}},
                                headers={**world.lead_headers, "If-Match": target.headers["ETag"]})
    assert patched.status_code == 422 and repr(bad_key) in patched.json()["error"]["message"]


def test_a_bad_value_in_a_known_key_is_refused_too(sync_client, world, vendor) -> None:  # type: ignore[no-untyped-def]
    key = "status_for_phase" if vendor.kind == "jira" else "phase_labels"
    body = {"name": "bad phase", "kind": vendor.kind, "connection": vendor.connection_name,
            "project": vendor.project, "mapping": {key: {"finished": "Closed"}}}
    created = sync_client.post("/ticket-targets", headers=world.lead_headers, json=body)
    assert created.status_code == 422 and "finished" in created.json()["error"]["message"]


def test_a_stored_bad_mapping_breaks_the_link_at_once(sync_client, world, vendor, worker, session) -> None:  # type: ignore[no-untyped-def]
    # A mapping written before mappings were checked (or straight into the database).
    session.execute(update(TicketTarget).where(TicketTarget.id == world.target.id).values(mapping={"nope": 1}))
    session.commit()
    item = world.item()
    push(sync_client, world, item.id)
    worker.run_until_idle()
    link = link_of(session, item.id)
    assert link.state is LinkState.broken and "invalid mapping" in link.broken_reason and "'nope'" in link.broken_reason
    message = session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "ticket.sync"))
    assert message.state is OutboxState.dead and message.attempts == 1
