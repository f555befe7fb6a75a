"""Promote, edit, close and reopen, in both directions, for Jira and GitHub."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tests.sync.harness import Vendor, WebhookSink
from tracker.actions.models import ActionItem, Phase
from tracker.activity.models import ActivityEntry
from tracker.sync.models import InboundDelivery, LinkState, TicketLink

FORWARDED = ("content-type", "x-hub-signature", "x-hub-signature-256", "x-github-event",
             "x-github-delivery", "x-atlassian-webhook-identifier")


def forward_webhooks(client, vendor: Vendor, sink: WebhookSink) -> list[dict]:  # type: ignore[no-untyped-def]
    """Deliver what the vendor sent to the tracker's webhook endpoint, as the vendor would."""
    vendor.drain()
    answers = []
    for headers, body in sink.take():
        kept = {k: v for k, v in headers.items() if k.lower() in FORWARDED}
        response = client.post(f"/webhooks/{vendor.kind}/{vendor.connection_name}", content=body, headers=kept)
        assert response.status_code in (200, 202), response.text
        answers.append(response.json())
    return answers


def push(client, world, item_id: int) -> dict:  # type: ignore[no-untyped-def]
    response = client.post(f"/action-items/{item_id}/ticket", headers=world.lead_headers)
    assert response.status_code == 202, response.text
    return response.json()


def link_of(session, item_id: int) -> TicketLink:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.scalar(select(TicketLink).where(TicketLink.action_item_id == item_id))


def test_promote_creates_one_ticket_with_context_and_backlink(sync_client, world, vendor, worker, session) -> None:
    item = world.item()
    pending = push(sync_client, world, item.id)
    assert pending["state"] == "pending" and pending["remote_key"] is None
    assert worker.run_until_idle() >= 1
    link = link_of(session, item.id)
    assert link.state is LinkState.linked and link.remote_key
    [ticket] = vendor.tickets()
    assert ticket["title"] == "Fix the VAT line on invoices"
    assert ticket["assignee"] == vendor.owner_identity
    assert ticket["due"] == item.deadline
    assert "Invoices show VAT twice" in ticket["body"]
    assert f"http://tracker.test/action-items/{item.id}" in ticket["body"]
    assert link.marker in (ticket["labels"] + [ticket["body"]]) or link.marker in ticket["body"]
    # Pushing again is refused: one ticket per action item.
    again = sync_client.post(f"/action-items/{item.id}/ticket", headers=world.lead_headers)
    assert again.status_code == 409


def test_local_edits_reach_the_ticket(sync_client, world, vendor, worker, session) -> None:
    item = world.item()
    push(sync_client, world, item.id)
    worker.run_until_idle()
    new_deadline = (date.today() + timedelta(days=30)).isoformat()
    r = sync_client.patch(f"/action-items/{item.id}", headers={**world.lead_headers, "If-Match": '"1"'},
                          json={"title": "Fix VAT on EU invoices", "deadline": new_deadline})
    assert r.status_code == 200, r.text
    r = sync_client.post(f"/action-items/{item.id}/phase", headers=world.owner_headers,
                         json={"to": "implementing", "version": 2})
    assert r.status_code == 200, r.text
    worker.run_until_idle()
    ticket = vendor.ticket(link_of(session, item.id).remote_key)
    assert ticket["title"] == "Fix VAT on EU invoices"
    assert ticket["due"].isoformat() == new_deadline
    assert ticket["status"] in ("In Progress", "open")
    if vendor.kind == "github":
        assert "phase: implementing" in ticket["labels"]
    assert link_of(session, item.id).dirty_fields == []


def test_ticket_changes_flow_back_and_echoes_do_nothing(sync_client, world, vendor, worker, sink, session) -> None:
    item = world.item()
    push(sync_client, world, item.id)
    worker.run_until_idle()
    # Our own create comes back as a webhook: an echo, ignored.
    assert {a["outcome"] for a in forward_webhooks(sync_client, vendor, sink)} <= {"echo", "ignored"}
    key = link_of(session, item.id).remote_key
    vendor.retitle(key, "VAT shown once, finally")
    vendor.assign(key, vendor.other_identity)
    outcomes = forward_webhooks(sync_client, vendor, sink)
    assert "queued" in {a["outcome"] for a in outcomes}
    worker.run_until_idle()
    session.expire_all()
    stored = session.get(ActionItem, item.id)
    assert stored.title == "VAT shown once, finally"
    assert stored.owner_id == world.other_owner.id
    actors = {e.actor_label for e in session.scalars(
        select(ActivityEntry).where(ActivityEntry.action_item_id == item.id, ActivityEntry.action == "updated"))}
    assert any(label.startswith(f"{vendor.kind}:") for label in actors)
    # Nothing was sent back for changes that came from the ticket.
    assert link_of(session, item.id).dirty_fields == []


def test_close_walks_forward_to_the_gate_and_reopen_reopens(sync_client, world, vendor, worker, sink, session) -> None:
    item = world.item(phase=Phase.implementing)
    push(sync_client, world, item.id)
    worker.run_until_idle()
    forward_webhooks(sync_client, vendor, sink)
    key = link_of(session, item.id).remote_key
    vendor.close(key)
    forward_webhooks(sync_client, vendor, sink)
    worker.run_until_idle()
    session.expire_all()
    assert session.get(ActionItem, item.id).phase is Phase.done  # no training, empty checklist
    vendor.reopen(key)
    forward_webhooks(sync_client, vendor, sink)
    worker.run_until_idle()
    session.expire_all()
    assert session.get(ActionItem, item.id).phase is Phase.implementing


def test_redelivery_and_bad_signatures(sync_client, world, vendor, worker, sink, session) -> None:
    item = world.item()
    push(sync_client, world, item.id)
    worker.run_until_idle()
    forward_webhooks(sync_client, vendor, sink)
    vendor.retitle(link_of(session, item.id).remote_key, "Retitled in the vendor")
    vendor.drain()
    [(headers, body)] = [d for d in sink.take()][-1:]
    kept = {k: v for k, v in headers.items() if k.lower() in FORWARDED}
    url = f"/webhooks/{vendor.kind}/{vendor.connection_name}"
    first = sync_client.post(url, content=body, headers=kept)
    assert first.status_code == 202 and first.json()["outcome"] == "queued"
    again = sync_client.post(url, content=body, headers=kept)
    assert again.status_code == 200 and again.json()["outcome"] == "duplicate"
    before = session.scalar(select(InboundDelivery.id).order_by(InboundDelivery.id.desc()))
    tampered = sync_client.post(url, content=body + b" ", headers=kept)
    assert tampered.status_code == 401
    unsigned = {k: v for k, v in kept.items() if "signature" not in k.lower()}
    assert sync_client.post(url, content=body, headers=unsigned).status_code == 401
    session.expire_all()
    assert session.scalar(select(InboundDelivery.id).order_by(InboundDelivery.id.desc())) == before


def test_deleted_ticket_breaks_the_link_with_a_reason(sync_client, world, vendor, worker, sink, session) -> None:
    item = world.item()
    push(sync_client, world, item.id)
    worker.run_until_idle()
    forward_webhooks(sync_client, vendor, sink)
    key = link_of(session, item.id).remote_key
    vendor.delete(key)
    r = sync_client.patch(f"/action-items/{item.id}", headers={**world.lead_headers, "If-Match": '"1"'},
                          json={"title": "Changed after the ticket was deleted"})
    assert r.status_code == 200
    worker.run_until_idle()
    link = link_of(session, item.id)
    assert link.state is LinkState.broken
    assert vendor.project in link.broken_reason
    shown = sync_client.get(f"/action-items/{item.id}/ticket", headers=world.lead_headers).json()
    assert shown["state"] == "broken" and shown["broken_reason"] == link.broken_reason
    broken = sync_client.get("/ticket-links", params={"state": "broken"}, headers=world.lead_headers).json()
    assert [b["action_item_id"] for b in broken["items"]] == [item.id]
    logged = session.scalar(select(ActivityEntry).where(ActivityEntry.action_item_id == item.id,
                                                        ActivityEntry.action == "broken"))
    assert logged is not None
    # Resuming with recreate makes a fresh ticket.
    resumed = sync_client.post(f"/action-items/{item.id}/ticket/resume", params={"recreate": "true"},
                               headers=world.lead_headers)
    assert resumed.status_code == 202, resumed.text
    worker.run_until_idle()
    assert link_of(session, item.id).state is LinkState.linked
    assert len(vendor.tickets()) == 1


def test_out_of_order_webhooks_end_in_the_ticket_s_current_state(
    sync_client, world, vendor, worker, sink, session  # type: ignore[no-untyped-def]
) -> None:
    item = world.item()
    push(sync_client, world, item.id)
    worker.run_until_idle()
    forward_webhooks(sync_client, vendor, sink)
    key = link_of(session, item.id).remote_key
    vendor.retitle(key, "First rename")
    vendor.retitle(key, "Second rename")
    vendor.drain()
    deliveries = sink.take()
    assert len(deliveries) >= 2
    url = f"/webhooks/{vendor.kind}/{vendor.connection_name}"
    for headers, body in reversed(deliveries):  # the newest event arrives first
        kept = {k: v for k, v in headers.items() if k.lower() in FORWARDED}
        assert sync_client.post(url, content=body, headers=kept).status_code == 202
        worker.run_until_idle()
    session.expire_all()
    assert session.get(ActionItem, item.id).title == "Second rename"
