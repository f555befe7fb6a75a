"""Which handler delivers which kind of outbox message."""

from __future__ import annotations

from tracker.sync.inbound import RECONCILE_KIND, deliver_reconcile, deliver_ticket_pull
from tracker.sync.push import deliver_ticket_sync
from tracker.sync.service import PULL_KIND, SYNC_KIND
from tracker.worker.runner import Handler


def default_handlers() -> dict[str, Handler]:
    return {
        SYNC_KIND: deliver_ticket_sync,
        PULL_KIND: deliver_ticket_pull,
        RECONCILE_KIND: deliver_reconcile,
    }
