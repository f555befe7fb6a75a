"""Which handler delivers which kind of outbox message."""

from __future__ import annotations

from tracker.nudges.delivery import deliver_digest, deliver_nudge
from tracker.slack.handlers import deliver_notice, deliver_refresh, deliver_response
from tracker.slack.outbound import DIGEST_KIND, NOTICE_KIND, NUDGE_KIND, REFRESH_KIND, RESPOND_KIND
from tracker.sync.inbound import RECONCILE_KIND, deliver_reconcile, deliver_ticket_pull
from tracker.sync.push import deliver_ticket_sync
from tracker.sync.service import PULL_KIND, SYNC_KIND
from tracker.worker.runner import Handler


def default_handlers() -> dict[str, Handler]:
    return {
        SYNC_KIND: deliver_ticket_sync,
        PULL_KIND: deliver_ticket_pull,
        RECONCILE_KIND: deliver_reconcile,
        NUDGE_KIND: deliver_nudge,
        DIGEST_KIND: deliver_digest,
        REFRESH_KIND: deliver_refresh,
        RESPOND_KIND: deliver_response,
        NOTICE_KIND: deliver_notice,
    }
