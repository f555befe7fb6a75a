"""Which handler delivers which kind of outbox message."""

from __future__ import annotations

from tracker.metrics.counting import COUNT_KIND, deliver_count
from tracker.nudges.delivery import deliver_digest, deliver_nudge, give_up_nudge
from tracker.slack.handlers import deliver_interaction, deliver_notice, deliver_refresh, deliver_response
from tracker.slack.outbound import (
    DIGEST_KIND,
    INTERACTION_KIND,
    NOTICE_KIND,
    NUDGE_KIND,
    REFRESH_KIND,
    RESPOND_KIND,
)
from tracker.sync.inbound import RECONCILE_KIND, deliver_reconcile, deliver_ticket_pull, give_up_ticket_pull
from tracker.sync.push import deliver_ticket_sync, give_up_ticket_sync
from tracker.sync.service import PULL_KIND, SYNC_KIND
from tracker.worker.runner import GiveUpHook, Handler


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
        INTERACTION_KIND: deliver_interaction,
        COUNT_KIND: deliver_count,
    }


def default_give_up_hooks() -> dict[str, GiveUpHook]:
    """Where a message given up after its last attempt is recorded for people to see. Kinds
    without a hook (reconciliation, refreshes, replies) are only logged at WARNING."""
    return {
        SYNC_KIND: give_up_ticket_sync,
        PULL_KIND: give_up_ticket_pull,
        NUDGE_KIND: give_up_nudge,
    }
