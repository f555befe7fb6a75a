"""The Slack app manifest: paste it at https://api.slack.com/apps -> Create New App -> From a
manifest, install the app, then set TRACKER_SLACK__BOT_TOKEN (xoxb-...) and
TRACKER_SLACK__SIGNING_SECRET from its pages."""

from __future__ import annotations

from typing import Any

BOT_SCOPES = ["chat:write", "im:write", "users:read", "users:read.email", "commands"]


def app_manifest(base_url: str, *, app_name: str = "CX Tracker") -> dict[str, Any]:
    base = base_url.rstrip("/")
    bot_name = "".join(c if c.isalnum() or c in "-_." else "-" for c in app_name.lower()).strip("-")
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": app_name[:35],
            "description": "Nudges owners about their action items; weekly status digests.",
        },
        "features": {
            "bot_user": {"display_name": (bot_name or "tracker")[:80], "always_online": True},
            "slash_commands": [{
                "command": "/tracker",
                "url": f"{base}/slack/commands",
                "description": "Your open action items (mine), overdue ones (overdue), help",
                "usage_hint": "mine | overdue | help",
                "should_escape": False,
            }],
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "interactivity": {"is_enabled": True, "request_url": f"{base}/slack/interactivity"},
            "org_deploy_enabled": False,
            "socket_mode_enabled": False,
            "token_rotation_enabled": False,
        },
    }
