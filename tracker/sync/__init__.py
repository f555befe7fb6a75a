"""Jira/GitHub ticket sync: outbound through the outbox, inbound through webhooks and reconciliation."""


def install() -> None:
    """Let action-item changes reach their tickets (idempotent)."""
    from tracker.actions.hooks import add_listener
    from tracker.sync.service import on_action_item_change

    add_listener(on_action_item_change)
