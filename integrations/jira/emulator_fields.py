"""Issue field values: validation with Jira's error texts, and changelog items for each change.

`coerce` turns what a client sent into a Python value (or raises `FieldError` with the message
Jira would put under `errors[field]`); `assign` stores it and returns the changelog item that a
webhook and `expand=changelog` carry.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from integrations.jira.emulator_model import (
    PRIORITIES,
    RESOLUTIONS,
    Account,
    ChangeItem,
    CustomField,
    IssueRecord,
    find_named,
)

# Fields an edit (PUT /issue) may set. Status and resolution change only through transitions.
EDITABLE = frozenset({"summary", "description", "labels", "duedate", "priority", "assignee"})
FIELD_NAMES = {
    "resolution": "Resolution",
    "duedate": "Due date",
    "assignee": "Assignee",
    "summary": "Summary",
}


class FieldError(Exception):
    pass


class FieldContext(Protocol):
    accounts: dict[str, Account]
    custom_fields: dict[str, CustomField]


def not_settable(field_id: str) -> str:
    return f"Field '{field_id}' cannot be set. It is not on the appropriate screen, or unknown."


def coerce(field_id: str, value: Any, ctx: FieldContext) -> Any:
    """Validate one incoming field value; returns the value to store."""
    if field_id == "summary":
        if not isinstance(value, str) or not value.strip():
            raise FieldError("You must specify a summary of the issue.")
        if "\n" in value or "\r" in value:
            raise FieldError("The summary is invalid because it contains newline characters.")
        if len(value) > 255:
            raise FieldError("Summary must be less than 255 characters.")
        return value
    if field_id == "description":
        if value is not None and not isinstance(value, str):
            raise FieldError("Operation value must be a string")
        return value or None
    if field_id == "labels":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise FieldError("Operation value must be an array of strings")
        return [_label(v) for v in dict.fromkeys(value)]
    if field_id == "duedate":
        return _date(value)
    if field_id == "priority":
        found = find_named(PRIORITIES, value)
        if found is None:
            raise FieldError("The priority selected is invalid.")
        return found
    if field_id == "resolution":
        if value is None:
            return None
        found = find_named(RESOLUTIONS, value)
        if found is None:
            raise FieldError(f"Could not find resolution: {value}")
        return found
    if field_id in ("assignee", "reporter"):
        return _user(value, ctx)
    if (custom := ctx.custom_fields.get(field_id)) is not None:
        return _custom(custom, value)
    raise FieldError(not_settable(field_id))


def label_value(value: Any) -> str:
    if not isinstance(value, str):
        raise FieldError("Operation value must be a string")
    return _label(value)


def _label(value: str) -> str:
    if not value or " " in value:
        raise FieldError(f"The label '{value}' contains spaces which is invalid.")
    if len(value) > 255:
        raise FieldError("The label must not exceed 255 characters.")
    return value


def _date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise FieldError(f"Error parsing date string: {value}") from None


def _user(value: Any, ctx: FieldContext) -> str | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise FieldError("Operation value must be an object")
    if "accountId" not in value and "id" not in value:
        # Cloud dropped usernames (GDPR): {"name": ...} is refused.
        raise FieldError("'accountId' must be the only user identifying query parameter in GDPR strict mode.")
    account_id = value.get("accountId", value.get("id"))
    if account_id is None or account_id == "-1":
        return None
    account = ctx.accounts.get(str(account_id))
    if account is None or not account.active:
        raise FieldError("Specified user does not exist or you do not have required permissions")
    return account.account_id


def _custom(custom: CustomField, value: Any) -> Any:
    if value is None:
        return None
    if custom.type == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise FieldError("Operation value must be a number")
        return value
    if custom.type == "date":
        parsed = _date(value)
        return parsed.isoformat() if parsed else None
    if not isinstance(value, str):
        raise FieldError("Operation value must be a string")
    return value


# -- storing, with changelog -----------------------------------------------------------------------
def assign(issue: IssueRecord, field_id: str, value: Any, ctx: FieldContext) -> ChangeItem | None:
    """Store a coerced value; returns the changelog item, or None when nothing changed."""
    if field_id in issue.custom or field_id in ctx.custom_fields:
        old = issue.custom.get(field_id)
        if old == value:
            return None
        issue.custom[field_id] = value
        name = ctx.custom_fields[field_id].name
        return ChangeItem(name, "custom", field_id, None, _str(old), None, _str(value))
    old = getattr(issue, field_id)
    if old == value:
        return None
    setattr(issue, field_id, value)
    if field_id in ("summary", "description"):
        return ChangeItem(field_id, "jira", field_id, None, old, None, value)
    if field_id == "labels":
        return ChangeItem("labels", "jira", "labels", None, " ".join(old), None, " ".join(value))
    if field_id == "duedate":
        return ChangeItem("duedate", "jira", "duedate", _iso(old), _day(old), _iso(value), _day(value))
    if field_id in ("priority", "resolution"):
        return ChangeItem(
            field_id,
            "jira",
            field_id,
            old and old.id,
            old and old.name,
            value and value.id,
            value and value.name,
        )
    if field_id in ("assignee", "reporter"):
        return ChangeItem(field_id, "jira", field_id, old, _display(old, ctx), value, _display(value, ctx))
    raise ValueError(field_id)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _day(value: date | None) -> str | None:
    return f"{value.isoformat()} 00:00:00.0" if value else None


def _display(account_id: str | None, ctx: FieldContext) -> str | None:
    account = ctx.accounts.get(account_id or "")
    return account.display_name if account else None
