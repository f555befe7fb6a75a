"""Demo people and teams: a SaaS company ("Brightdesk") running a support-journey programme.

Each entry has a `key` other demo modules use to refer to it; ids are assigned on load.
"""

from __future__ import annotations

from typing import Any

PEOPLE: list[dict[str, Any]] = [
    {"key": "admin", "name": "Sam Rivera", "email": "sam.rivera@example.com", "role": "admin",
     "timezone": "Europe/London", "slack_user_id": "U0DEMOADM"},
    {"key": "lead", "name": "Maya Okafor", "email": "maya.okafor@example.com", "role": "lead",
     "timezone": "Europe/London", "slack_user_id": "U0DEMOLEAD"},
    {"key": "product", "name": "Jonas Weber", "email": "jonas.weber@example.com", "role": "owner",
     "timezone": "Europe/Berlin", "slack_user_id": "U0DEMOPRD", "github_login": "jweber-demo"},
    {"key": "docs", "name": "Aiko Tanaka", "email": "aiko.tanaka@example.com", "role": "owner",
     "timezone": "Asia/Tokyo", "slack_user_id": "U0DEMODOC", "github_login": "aiko-docs-demo"},
    {"key": "billing", "name": "Luis Fernandez", "email": "luis.fernandez@example.com",
     "role": "owner", "timezone": "Europe/Madrid", "slack_user_id": "U0DEMOBIL",
     "jira_account_id": "demo-557058:luis"},
    {"key": "marketing", "name": "Chloe Martin", "email": "chloe.martin@example.com",
     "role": "owner", "timezone": "Europe/Paris", "slack_user_id": "U0DEMOMKT"},
    {"key": "sales", "name": "Derek Osei", "email": "derek.osei@example.com", "role": "owner",
     "timezone": "America/New_York", "slack_user_id": "U0DEMOSAL",
     "jira_account_id": "demo-557058:derek"},
    {"key": "support", "name": "Nadia Haddad", "email": "nadia.haddad@example.com",
     "role": "owner", "timezone": "America/Chicago", "slack_user_id": "U0DEMOSUP",
     "jira_account_id": "demo-557058:nadia"},
    {"key": "support2", "name": "Tomasz Nowak", "email": "tomasz.nowak@example.com",
     "role": "owner", "timezone": "Europe/Warsaw", "slack_user_id": "U0DEMOSUP2"},
    {"key": "viewer", "name": "Grace Liu", "email": "grace.liu@example.com", "role": "viewer",
     "timezone": "America/Los_Angeles", "slack_user_id": "U0DEMOVP"},
]

TEAMS: list[dict[str, Any]] = [
    {"key": "product", "name": "Product", "department": "product", "lead": "product",
     "slack_channel": "#product-cx", "timezone": "Europe/Berlin"},
    {"key": "docs", "name": "Documentation", "department": "documentation", "lead": "docs",
     "slack_channel": "#docs", "timezone": "Asia/Tokyo"},
    {"key": "billing", "name": "Billing Operations", "department": "billing", "lead": "billing",
     "slack_channel": "#billing-ops", "timezone": "Europe/Madrid"},
    {"key": "marketing", "name": "Marketing", "department": "marketing", "lead": "marketing",
     "slack_channel": "#marketing", "timezone": "Europe/Paris"},
    {"key": "sales", "name": "Sales", "department": "sales", "lead": "sales",
     "slack_channel": "#sales-enablement", "timezone": "America/New_York"},
    {"key": "support", "name": "Customer Support", "department": "support", "lead": "support",
     "slack_channel": "#support-leads", "timezone": "America/Chicago"},
]

# The logins `tracker demo` prints and writes to .tracker-demo-tokens: one per role.
LOGINS: list[tuple[str, str]] = [
    ("lead", "lead"), ("owner", "billing"), ("viewer", "viewer"), ("admin", "admin"),
]
