"""Finding a person's Slack user by their e-mail (Slack's users.lookupByEmail), so an admin can
check an identity against Slack rather than type an id. Nothing is saved here: the admin sees
the answer in the form and saves it like any other change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tracker.messaging.ports import (
    MessengerAuthFailed,
    MessengerError,
    MessengerTransient,
    RecipientNotFound,
    RecipientUnavailable,
)


@dataclass(frozen=True)
class SlackLookup:
    slack_user_id: str | None
    message: str


def look_up(messenger: Any, email: str) -> SlackLookup:
    """`messenger` is the configured Slack adapter (tracker.wiring.messenger_factory), or None."""
    if messenger is None:
        return SlackLookup(None, "Slack is not configured here (TRACKER_SLACK__BOT_TOKEN), so nothing was looked up.")
    try:
        found = messenger.find_user(slack_user_id=None, email=email)
    except RecipientNotFound:
        return SlackLookup(None, f"No Slack user has the e-mail address {email}.")
    except RecipientUnavailable:
        return SlackLookup(None, f"The Slack account of {email} is deactivated.")
    except MessengerAuthFailed:
        return SlackLookup(None, "Slack refused the app's token; an admin must renew it.")
    except MessengerTransient:
        return SlackLookup(None, "Slack did not answer in time; try again in a minute.")
    except MessengerError as exc:
        return SlackLookup(None, f"Slack could not look it up: {exc}")
    return SlackLookup(found, f"Slack knows {email} as {found}. Save to keep it.")
