"""Vendor identities: the Jira account, GitHub login and Slack user a person is known by.

Sync maps a ticket's assignee and a Slack click to a person through these, so whoever holds an
identity gets that person's items and acts as them. Hence: only admins set them, one person
holds each (a partial unique index backs the check below), and each has the vendor's shape.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import StringConstraints
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.errors import Conflict
from tracker.people.models import Person

# Slack user ids: U... (or W... on Enterprise Grid), upper-case letters and digits.
SLACK_USER_ID = r"^[UW][A-Z0-9]{2,31}$"
# GitHub: letters, digits and hyphens, not starting with a hyphen, at most 39 characters.
GITHUB_LOGIN = r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}$"
# Jira Cloud accountIds look like "557058:f58131cb-..." or a 24-hex legacy id.
JIRA_ACCOUNT_ID = r"^[A-Za-z0-9:_-]{1,128}$"

SlackUserId = Annotated[str, StringConstraints(pattern=SLACK_USER_ID)]
GithubLogin = Annotated[str, StringConstraints(pattern=GITHUB_LOGIN)]
JiraAccountId = Annotated[str, StringConstraints(pattern=JIRA_ACCOUNT_ID)]

FIELDS = ("jira_account_id", "github_login", "slack_user_id")


def holder_of(session: Session, field: str, value: str) -> Person | None:
    return session.scalars(select(Person).where(getattr(Person, field) == value).limit(1)).first()


def ensure_free(session: Session, *, data: dict[str, Any], person_id: int | None) -> None:
    """Refuse (409, naming the holder) an identity another person already holds."""
    for field in FIELDS:
        value = data.get(field)
        if value is None:
            continue
        holder = holder_of(session, field, value)
        if holder is not None and holder.id != person_id:
            raise Conflict(f"{field} {value} is already held by {holder.name} (person {holder.id}); "
                           "clear it there first", field=field, holder_id=holder.id)
