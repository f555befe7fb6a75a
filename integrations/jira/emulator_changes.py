"""Every change to an issue, whoever makes it (API caller or a "human" in a test), goes through here.

One path means API and UI changes alike bump `updated`, append a changelog history and emit a
webhook naming the acting account, which is what echo detection and reconciliation rely on.
"""

from __future__ import annotations

from typing import Any

from integrations.jira.emulator_fields import (
    EDITABLE,
    FIELD_NAMES,
    FieldError,
    assign,
    coerce,
    label_value,
    not_settable,
)
from integrations.jira.emulator_model import (
    DEFAULT_PRIORITY,
    ISSUE_TYPES,
    RESOLUTIONS,
    ChangeItem,
    CommentRecord,
    History,
    IssueRecord,
    JiraApiError,
    find_named,
)
from integrations.jira.emulator_store import JiraStore
from integrations.jira.emulator_workflows import DONE, Status, Transition


def create_issue(store: JiraStore, actor: str, fields: dict[str, Any]) -> IssueRecord:
    errors: dict[str, str] = {}
    ref = fields.get("project") or {}
    project = None
    if isinstance(ref, dict) and (ref.get("key") or ref.get("id")):
        project = store.project_ref(str(ref.get("key") or ref.get("id")), actor)
    if project is None:
        errors["project"] = "Specify a valid project ID or key"
    issue_type = find_named(ISSUE_TYPES, fields.get("issuetype"))
    if issue_type is None:
        errors["issuetype"] = (
            "Specify an issue type" if not fields.get("issuetype") else "The issue type selected is invalid."
        )
    if "summary" not in fields:
        errors["summary"] = "You must specify a summary of the issue."
    values: dict[str, Any] = {}
    for field_id, value in fields.items():
        if field_id in ("project", "issuetype"):
            continue
        if field_id not in EDITABLE and field_id != "reporter" and field_id not in store.custom_fields:
            errors[field_id] = not_settable(field_id)
            continue
        try:
            values[field_id] = coerce(field_id, value, store)
        except FieldError as error:
            errors[field_id] = str(error)
    if errors or project is None or issue_type is None:
        raise JiraApiError(400, [], errors)
    now = store.now()
    issue = IssueRecord(
        id=str(next(store.issue_ids)),
        key=f"{project.key}-{project.next_number}",
        project=project,
        issue_type=issue_type,
        summary=values.pop("summary"),
        reporter=values.pop("reporter", None) or actor,
        created=now,
        updated=now,
        status=project.workflow.initial,
        status_changed=now,
        priority=DEFAULT_PRIORITY,
    )
    project.next_number += 1
    for field_id, value in values.items():
        assign(issue, field_id, value, store)
    store.issues[issue.id] = issue
    publish(store, issue, actor, [], "jira:issue_created", "issue_created")
    return issue


def edit_issue(
    store: JiraStore, actor: str, issue: IssueRecord, fields: dict[str, Any], update: dict[str, Any]
) -> None:
    """`PUT /issue/{key}`: `fields` replace values, `update` holds add/remove/set operations."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    comments: list[str] = []
    for field_id, value in fields.items():
        if field_id not in EDITABLE and field_id not in store.custom_fields:
            errors[field_id] = not_settable(field_id)
            continue
        try:
            values[field_id] = coerce(field_id, value, store)
        except FieldError as error:
            errors[field_id] = str(error)
    for field_id, operations in update.items():
        try:
            if field_id == "comment":
                comments.extend(op["add"]["body"] for op in operations if "add" in op)
            elif field_id == "labels":
                values["labels"] = _label_operations(values.get("labels", issue.labels), operations)
            elif field_id in EDITABLE or field_id in store.custom_fields:
                for operation in operations:
                    if "set" not in operation:
                        raise FieldError(
                            f"Field '{field_id}' does not support operation '{next(iter(operation))}'"
                        )
                    values[field_id] = coerce(field_id, operation["set"], store)
            else:
                errors[field_id] = not_settable(field_id)
        except FieldError as error:
            errors[field_id] = str(error)
        except (KeyError, TypeError, StopIteration):
            errors[field_id] = "Operation value must be a valid operation object"
    if errors:
        raise JiraApiError(400, [], errors)
    items = [item for field_id, value in values.items() if (item := assign(issue, field_id, value, store))]
    event = "issue_assigned" if [i.field for i in items] == ["assignee"] else "issue_updated"
    if items:
        publish(store, issue, actor, items, "jira:issue_updated", event)
    for body in comments:
        add_comment(store, actor, issue, body)


def _label_operations(current: list[str], operations: list[dict[str, Any]]) -> list[str]:
    labels = list(current)
    for operation in operations:
        if "set" in operation:
            labels = [label_value(v) for v in operation["set"]]
        elif "add" in operation:
            if (value := label_value(operation["add"])) not in labels:
                labels.append(value)
        elif "remove" in operation:
            labels = [v for v in labels if v != operation["remove"]]
        else:
            raise FieldError("Operation value must be a valid operation object")
    return labels


def transition_issue(
    store: JiraStore,
    actor: str,
    issue: IssueRecord,
    transition_id: str,
    fields: dict[str, Any],
    update: dict[str, Any],
) -> None:
    transition = next(
        (t for t in issue.project.workflow.available(issue.status) if t.id == str(transition_id)), None
    )
    if transition is None:
        raise JiraApiError(400, [f"Transition id '{transition_id}' is not valid for this issue."])
    screen = {*transition.required, *transition.optional}
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for field_id, value in fields.items():
        if field_id not in screen:
            errors[field_id] = not_settable(field_id)
            continue
        try:
            values[field_id] = coerce(field_id, value, store)
        except FieldError as error:
            errors[field_id] = str(error)
    for field_id in transition.required:
        present = values.get(field_id) if field_id in values else issue.custom.get(field_id)
        if present is None and field_id not in errors:
            name = FIELD_NAMES.get(field_id) or (
                store.custom_fields[field_id].name if field_id in store.custom_fields else field_id
            )
            errors[field_id] = f"{name} is required."
    if errors:
        raise JiraApiError(400, [], errors)
    items = _move(
        store,
        issue,
        transition.to,
        values.pop("resolution", None),
        auto_resolve=issue.project.workflow.auto_resolve,
    )
    items += [item for field_id, value in values.items() if (item := assign(issue, field_id, value, store))]
    publish(store, issue, actor, items, "jira:issue_updated", "issue_generic")
    for operation in update.get("comment", []):
        if "add" in operation:
            add_comment(store, actor, issue, operation["add"]["body"])


def _move(
    store: JiraStore, issue: IssueRecord, target: Status, resolution: Any, auto_resolve: bool
) -> list[ChangeItem]:
    """Set the status; resolution follows the done category as Jira's post-functions do."""
    old = issue.status
    items = [ChangeItem("status", "jira", "status", old.id, old.name, target.id, target.name)]
    issue.status = target
    now = store.now()
    if old.category != target.category:
        issue.status_changed = now
    if target.category == DONE:
        if resolution is None and auto_resolve and issue.resolution is None:
            resolution = next(r for r in RESOLUTIONS if r.name == "Done")
        if resolution is not None and (item := assign(issue, "resolution", resolution, store)):
            items.append(item)
            issue.resolution_date = now
    elif issue.resolution is not None and (item := assign(issue, "resolution", None, store)):
        items.append(item)
        issue.resolution_date = None
    return items


def force_status(store: JiraStore, actor: str, issue: IssueRecord, status: Status) -> None:
    """An admin edit that ignores the workflow (for tests setting up a state directly)."""
    items = _move(store, issue, status, None, auto_resolve=True)
    publish(store, issue, actor, items, "jira:issue_updated", "issue_generic")


def find_transition(issue: IssueRecord, status_name: str) -> Transition | None:
    return next(
        (
            t
            for t in issue.project.workflow.available(issue.status)
            if t.to.name.lower() == status_name.lower()
        ),
        None,
    )


def assign_issue(store: JiraStore, actor: str, issue: IssueRecord, account_id: str | None) -> None:
    try:
        value = coerce("assignee", {"accountId": account_id}, store)
    except FieldError as error:
        raise JiraApiError(400, [], {"accountId": str(error)}) from None
    if item := assign(issue, "assignee", value, store):
        publish(store, issue, actor, [item], "jira:issue_updated", "issue_assigned")


def add_comment(store: JiraStore, actor: str, issue: IssueRecord, body: str) -> CommentRecord:
    if not isinstance(body, str) or not body.strip():
        raise JiraApiError(400, [], {"comment": "Comment body can not be empty!"})
    now = store.now()
    comment = CommentRecord(str(next(store.comment_ids)), actor, body, now, now)
    issue.comments.append(comment)
    publish(store, issue, actor, [], "jira:issue_updated", "issue_commented", comment=comment)
    return comment


def delete_issue(store: JiraStore, actor: str, issue: IssueRecord) -> None:
    publish(store, issue, actor, [], "jira:issue_deleted", "issue_deleted", touch=False)
    del store.issues[issue.id]
    store.deleted[issue.key] = issue


def publish(
    store: JiraStore,
    issue: IssueRecord,
    actor: str,
    items: list[ChangeItem],
    event: str,
    event_type: str,
    comment: CommentRecord | None = None,
    touch: bool = True,
) -> None:
    """Record the change (updated, changelog) and queue the webhook."""
    now = store.now()
    if touch:
        issue.updated = now
    payload: dict[str, Any] = {
        "timestamp": int(now.timestamp() * 1000),
        "webhookEvent": event,
        "issue_event_type_name": event_type,
        "user": store.render.user(actor),
        "issue": store.render.issue(issue),
    }
    if items:
        history = History(str(next(store.history_ids)), actor, now, items)
        issue.histories.append(history)
        payload["changelog"] = {"id": history.id, "items": [item.as_json() for item in items]}
    if comment is not None:
        payload["comment"] = store.render.comment(issue, comment)
    store.webhooks.emit(event, issue.key, payload)
