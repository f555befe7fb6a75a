"""Who a ticket's changes are attributed to when several webhooks are folded into one read."""

from __future__ import annotations

from sqlalchemy import select

from integrations.jira import emulator as jira
from tests.sync.harness import Vendor
from tests.sync.test_roundtrip import forward_webhooks, link_of, push
from tracker.actions.models import ActionItem
from tracker.activity.models import ActivityEntry
from tracker.outbox.models import OutboxMessage, OutboxState
from tracker.sync.inbound import MAX_PULL_ACTORS, add_actor, pull_actors
from tracker.sync.models import TargetKind
from tracker.sync.pull import vendor_label
from tracker.sync.service import PULL_KIND

# (who acts in the vendor's UI, the identity its webhooks name)
HUMANS = {"jira": ((jira.ALICE_EMAIL, jira.ALICE_ID), (jira.BOB_EMAIL, jira.BOB_ID)),
          "github": (("octocat", "octocat"), ("bob-gh", "bob-gh"))}


def retitle_as(vendor: Vendor, key: str, who: str, title: str) -> None:
    if vendor.kind == "jira":
        vendor.emulator.human(who).set_summary(key, title)
    else:
        vendor.emulator.edit_issue(vendor.project, int(key), who, title=title)


def pending_pulls(session) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == PULL_KIND, OutboxMessage.state == OutboxState.pending)))


def ticket_entries(session, item_id: int, vendor: Vendor) -> list[ActivityEntry]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.scalars(select(ActivityEntry).where(
        ActivityEntry.action_item_id == item_id, ActivityEntry.actor_label.startswith(f"{vendor.kind}:"))
        .order_by(ActivityEntry.id)))


def _linked_item(sync_client, world, vendor, worker, sink, session):  # type: ignore[no-untyped-def]
    item = world.item()
    push(sync_client, world, item.id)
    worker.run_until_idle()
    forward_webhooks(sync_client, vendor, sink)  # our own create: an echo
    return item, link_of(session, item.id).remote_key


def test_one_pull_for_several_webhooks_names_every_actor(
    sync_client, world, vendor, worker, sink, session  # type: ignore[no-untyped-def]
) -> None:
    item, key = _linked_item(sync_client, world, vendor, worker, sink, session)
    (first, first_id), (second, second_id) = HUMANS[vendor.kind]
    retitle_as(vendor, key, first, "VAT shown once")
    retitle_as(vendor, key, second, "VAT shown once, finally")
    retitle_as(vendor, key, first, "VAT shown once, finally!")
    outcomes = forward_webhooks(sync_client, vendor, sink)
    assert [o["outcome"] for o in outcomes] == ["queued"] * 3
    # Still one read of the ticket for the three webhooks, now knowing all who sent them.
    [pull] = pending_pulls(session)
    assert pull.payload["actors"] == [first_id, second_id]
    worker.run_until_idle()
    session.expire_all()
    assert session.get(ActionItem, item.id).title == "VAT shown once, finally!"
    [entry] = ticket_entries(session, item.id, vendor)
    assert entry.action == "updated" and "title" in entry.changes
    # The read applied the ticket as it stood after both people's edits: both are named, the
    # first to act first (not only the first webhook's sender, as before).
    assert entry.actor_label == f"{vendor.kind}:{first_id}, {second_id}"
    assert pending_pulls(session) == []


def test_a_webhook_after_the_read_started_gets_a_read_of_its_own(
    sync_client, world, vendor, worker, sink, session  # type: ignore[no-untyped-def]
) -> None:
    item, key = _linked_item(sync_client, world, vendor, worker, sink, session)
    (first, first_id), (second, second_id) = HUMANS[vendor.kind]
    retitle_as(vendor, key, first, "VAT shown once")
    forward_webhooks(sync_client, vendor, sink)
    worker.run_until_idle()
    retitle_as(vendor, key, second, "VAT shown once, finally")
    forward_webhooks(sync_client, vendor, sink)
    [pull] = pending_pulls(session)
    assert pull.payload["actors"] == [second_id]  # the earlier, finished read is not folded in
    worker.run_until_idle()
    labels = [e.actor_label for e in ticket_entries(session, item.id, vendor)]
    assert labels == [f"{vendor.kind}:{first_id}", f"{vendor.kind}:{second_id}"]


def test_labels_name_each_actor_once_and_stay_within_the_column() -> None:
    assert vendor_label(TargetKind.jira, []) == "jira:someone"
    assert vendor_label(TargetKind.jira, [None]) == "jira:someone"
    assert vendor_label(TargetKind.github, ["ana", None, "ben"]) == "github:ana, ben and others"
    many = [f"user-{n:03d}-with-a-long-login" for n in range(20)]
    label = vendor_label(TargetKind.github, many)
    assert len(label) <= 200 and label.startswith("github:user-000") and label.endswith(" and others")
    # The payload stays bounded too: past MAX_PULL_ACTORS the rest are "others".
    actors: list[str | None] = []
    for name in many + many:
        actors = add_actor(actors, name)
    assert actors == [*many[:MAX_PULL_ACTORS], None]
    assert pull_actors({"link_id": 1, "actor": "ana"}) == ["ana"]  # queued before `actors`
