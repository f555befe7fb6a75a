"""Jira issue JSON <-> the port's terms: RemoteTicket from an issue, create/edit field bodies,
and the JQL time literal a watermark turns into."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from integrations.jira.mapping import TRACKER_LABEL, JiraMapping
from tracker.sync.ports import RemoteTicket, TicketFields

# What a RemoteTicket needs; searches and reads request only these.
READ_FIELDS = ["summary", "status", "assignee", "duedate", "priority", "updated"]


def parse_jira_time(text: str) -> datetime:
    """Jira's `2026-11-22T10:00:00.000+0000` (also accepts ISO 8601 with a colon in the offset)."""
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z").astimezone(UTC)
    except ValueError:
        return datetime.fromisoformat(text).astimezone(UTC)


def ticket_from_issue(raw: dict[str, Any], browse: str, mapping: JiraMapping) -> RemoteTicket:
    fields = raw.get("fields") or {}
    status = str((fields.get("status") or {}).get("name") or "")
    updated = fields.get("updated")
    return RemoteTicket(
        key=str(raw["key"]),
        url=f"{browse}/{raw['key']}",
        title=str(fields.get("summary") or ""),
        status=status,
        phase=mapping.phase_for(status),
        assignee=(fields.get("assignee") or {}).get("accountId"),
        due=date.fromisoformat(fields["duedate"]) if fields.get("duedate") else None,
        priority=mapping.priority_of((fields.get("priority") or {}).get("name")),
        updated_at=parse_jira_time(updated) if updated else datetime.now(UTC),
    )


def create_body(
    project: str, issue_type: str, fields: TicketFields, marker: str, mapping: JiraMapping
) -> dict[str, Any]:
    """Create-issue fields; project and issue type as dicts so the client looks nothing up."""
    body: dict[str, Any] = {
        "project": {"key": project},
        "issuetype": {"name": issue_type},
        "summary": fields.title,
        "description": fields.body,
        "labels": [TRACKER_LABEL, marker],
        "priority": {"name": mapping.priority_name(fields.priority)},
    }
    if fields.due is not None:
        body["duedate"] = fields.due.isoformat()
    if fields.assignee is not None:  # omitted: the project's default assignee rule applies
        body["assignee"] = {"accountId": fields.assignee}
    return body


def edit_body(fields: TicketFields, changed: set[str], mapping: JiraMapping) -> dict[str, Any]:
    """PUT /issue fields for the changed synced fields other than the phase."""
    body: dict[str, Any] = {}
    if "title" in changed:
        body["summary"] = fields.title
    if "assignee" in changed:
        body["assignee"] = {"accountId": fields.assignee} if fields.assignee else None
    if "due" in changed:
        body["duedate"] = fields.due.isoformat() if fields.due else None
    if "priority" in changed:
        body["priority"] = {"name": mapping.priority_name(fields.priority)}
    return body


def jql_since(watermark: datetime, zone: tzinfo | None) -> str:
    """`yyyy/MM/dd HH:mm` for `updated >= ...`, one minute before the watermark's minute.

    JQL reads dates in the searching user's time zone at minute precision; the extra minute
    covers search-index lag (re-seen tickets are no-ops for the caller). Without a known zone we
    go back a whole day in UTC, which is safe for any offset (at most +-14 h).
    """
    local = watermark.astimezone(zone) if zone is not None else watermark.astimezone(UTC) - timedelta(days=1)
    start = local.replace(second=0, microsecond=0) - timedelta(minutes=1)
    return start.strftime("%Y/%m/%d %H:%M")


def jql_string(value: str) -> str:
    """A JQL double-quoted string literal."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
