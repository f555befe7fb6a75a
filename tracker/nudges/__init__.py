"""Slack nudges: the policy (policy.py), the schedule kept by a listener (schedule.py), the sweep
that records due nudges (sweep.py), and the owner-facing parts (service.py, messages.py)."""


def install() -> None:
    """Keep every action item's next nudge check, and its posted Slack messages, up to date as
    it changes (idempotent)."""
    from tracker.actions.hooks import add_listener
    from tracker.nudges.schedule import on_action_item_change
    from tracker.slack import refresh

    add_listener(on_action_item_change)
    add_listener(refresh.on_action_item_change)
