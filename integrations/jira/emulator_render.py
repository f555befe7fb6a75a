"""JSON shapes of Jira Cloud REST v2 resources, built from the emulator's records.

Every `self` link is absolute with the emulator's exact host:port, because the jira client follows
them (Issue.update PUTs to `issue.self`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from integrations.jira.emulator_model import (
    ISSUE_TYPES,
    RESOLUTIONS,
    Account,
    CommentRecord,
    CustomField,
    History,
    IssueRecord,
    Named,
    Project,
    format_jira_time,
)
from integrations.jira.emulator_workflows import Status, Transition

API = "/rest/api/2"


class Renderer:
    def __init__(
        self, base_url: Callable[[], str], accounts: dict[str, Account], custom_fields: dict[str, CustomField]
    ) -> None:
        self._base_url = base_url  # a callable: the port is only known once the server started
        self.accounts = accounts
        self.custom_fields = custom_fields

    @property
    def api(self) -> str:
        return self._base_url() + API

    def user(self, account_id: str | None) -> dict[str, Any] | None:
        account = self.accounts.get(account_id or "")
        if account is None:
            return None
        return {
            "self": f"{self.api}/user?accountId={account.account_id}",
            "accountId": account.account_id,
            "accountType": "atlassian",
            "emailAddress": account.email,
            "avatarUrls": {"48x48": f"{self._base_url()}/avatar/{account.account_id}.png"},
            "displayName": account.display_name,
            "active": account.active,
            "timeZone": account.time_zone,
        }

    def status(self, status: Status) -> dict[str, Any]:
        cat = status.category
        return {
            "self": f"{self.api}/status/{status.id}",
            "description": "",
            "iconUrl": f"{self._base_url()}/images/icons/statuses/generic.png",
            "name": status.name,
            "id": status.id,
            "statusCategory": {
                "self": f"{self.api}/statuscategory/{cat.id}",
                "id": cat.id,
                "key": cat.key,
                "colorName": cat.color,
                "name": cat.name,
            },
        }

    def named(self, kind: str, item: Named | None) -> dict[str, Any] | None:
        """priority / resolution / issuetype."""
        if item is None:
            return None
        body: dict[str, Any] = {
            "self": f"{self.api}/{kind}/{item.id}",
            "id": item.id,
            "name": item.name,
            "description": item.description,
        }
        if kind == "issuetype":
            body["subtask"] = False
        return body

    def project(self, project: Project, *, full: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {
            "self": f"{self.api}/project/{project.id}",
            "id": project.id,
            "key": project.key,
            "name": project.name,
            "projectTypeKey": "software",
            "simplified": project.workflow.auto_resolve,
        }
        if full:
            body["lead"] = self.user(project.lead_account_id)
            body["issueTypes"] = [self.named("issuetype", t) for t in ISSUE_TYPES]
            body["style"] = "next-gen" if project.workflow.auto_resolve else "classic"
        return body

    def comment(self, issue: IssueRecord, comment: CommentRecord) -> dict[str, Any]:
        return {
            "self": f"{self.api}/issue/{issue.id}/comment/{comment.id}",
            "id": comment.id,
            "author": self.user(comment.author),
            "body": comment.body,
            "updateAuthor": self.user(comment.author),
            "created": format_jira_time(comment.created),
            "updated": format_jira_time(comment.updated),
            "jsdPublic": True,
        }

    def history(self, history: History) -> dict[str, Any]:
        return {
            "id": history.id,
            "author": self.user(history.author),
            "created": format_jira_time(history.created),
            "items": [item.as_json() for item in history.items],
        }

    def all_fields(self, issue: IssueRecord) -> dict[str, Any]:
        comments = [self.comment(issue, c) for c in issue.comments]
        fields: dict[str, Any] = {
            "summary": issue.summary,
            "description": issue.description,
            "labels": list(issue.labels),
            "duedate": issue.duedate.isoformat() if issue.duedate else None,
            "priority": self.named("priority", issue.priority),
            "assignee": self.user(issue.assignee),
            "reporter": self.user(issue.reporter),
            "creator": self.user(issue.reporter),
            "status": self.status(issue.status),
            "resolution": self.named("resolution", issue.resolution),
            "resolutiondate": format_jira_time(issue.resolution_date) if issue.resolution_date else None,
            "project": self.project(issue.project),
            "issuetype": self.named("issuetype", issue.issue_type),
            "created": format_jira_time(issue.created),
            "updated": format_jira_time(issue.updated),
            "statuscategorychangedate": format_jira_time(issue.status_changed),
            "comment": {
                "comments": comments,
                "maxResults": len(comments),
                "total": len(comments),
                "startAt": 0,
            },
        }
        for field_id in self.custom_fields:  # Jira lists every custom field, null when unset
            fields[field_id] = issue.custom.get(field_id)
        return fields

    def issue(
        self,
        issue: IssueRecord,
        fields: list[str] | None = None,
        expand: str | None = None,
        properties: str | None = None,
    ) -> dict[str, Any]:
        """`fields` follows Jira: `*all`/`*navigable`, names, `-name` to exclude; None means all."""
        every = self.all_fields(issue)
        body: dict[str, Any] = {
            "expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
            "id": issue.id,
            "self": f"{self.api}/issue/{issue.id}",
            "key": issue.key,
            "fields": _select(every, fields),
        }
        if expand and "changelog" in expand.split(","):
            histories = [self.history(h) for h in issue.histories]
            body["changelog"] = {
                "startAt": 0,
                "maxResults": len(histories),
                "total": len(histories),
                "histories": histories,
            }
        if properties:
            wanted = properties.split(",")
            body["properties"] = {
                k: v for k, v in issue.properties.items() if "*all" in wanted or k in wanted
            }
        return body

    def transition(
        self, transition: Transition, with_fields: bool, field_names: dict[str, str]
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": transition.id,
            "name": transition.name,
            "to": self.status(transition.to),
            "hasScreen": bool(transition.required or transition.optional),
            "isGlobal": transition.sources is None,
            "isInitial": False,
            "isAvailable": True,
            "isConditional": False,
            "isLooped": False,
        }
        if with_fields:
            body["fields"] = {
                field_id: self._transition_field(field_id, field_id in transition.required, field_names)
                for field_id in (*transition.required, *transition.optional)
            }
        return body

    def _transition_field(self, field_id: str, required: bool, field_names: dict[str, str]) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "required": required,
            "name": field_names.get(field_id, field_id),
            "key": field_id,
            "operations": ["set"],
        }
        if field_id == "resolution":
            meta["schema"] = {"type": "resolution", "system": "resolution"}
            meta["allowedValues"] = [self.named("resolution", r) for r in RESOLUTIONS]
        elif (custom := self.custom_fields.get(field_id)) is not None:
            meta["schema"] = {
                "type": custom.type,
                "custom": _custom_type(custom),
                "customId": int(field_id.split("_")[1]),
            }
        return meta


def _custom_type(custom: CustomField) -> str:
    kinds = {"string": "textfield", "number": "float", "date": "datepicker"}
    return "com.atlassian.jira.plugin.system.customfieldtypes:" + kinds.get(custom.type, "textfield")


def _select(every: dict[str, Any], requested: list[str] | None) -> dict[str, Any]:
    if requested is None:
        return every
    names = [n.strip() for item in requested for n in item.split(",") if n.strip()]
    chosen: set[str] = set()
    if "*all" in names or "*navigable" in names:
        chosen = set(every)
    chosen |= {n for n in names if n in every}
    chosen -= {n[1:] for n in names if n.startswith("-")}
    return {k: v for k, v in every.items() if k in chosen}


def field_catalog(custom_fields: dict[str, CustomField]) -> list[dict[str, Any]]:
    """`GET /field`: system fields the emulator knows plus the site's custom fields."""
    system = [
        ("summary", "Summary", "string"), ("description", "Description", "string"),
        ("labels", "Labels", "array"), ("duedate", "Due date", "date"), ("priority", "Priority", "priority"),
        ("assignee", "Assignee", "user"), ("reporter", "Reporter", "user"), ("creator", "Creator", "user"),
        ("status", "Status", "status"), ("resolution", "Resolution", "resolution"),
        ("resolutiondate", "Resolved", "datetime"), ("project", "Project", "project"),
        ("issuetype", "Issue Type", "issuetype"), ("created", "Created", "datetime"),
        ("updated", "Updated", "datetime"), ("comment", "Comment", "comments-page"),
        ("statuscategorychangedate", "Status Category Changed", "datetime"), ("issuekey", "Key", "string"),
    ]  # fmt: skip
    catalog: list[dict[str, Any]] = [
        {
            "id": fid, "key": fid, "name": name, "custom": False, "orderable": True, "navigable": True,
            "searchable": True, "clauseNames": [fid], "schema": {"type": kind, "system": fid},
        }
        for fid, name, kind in system
    ]  # fmt: skip
    for custom in custom_fields.values():
        number = custom.id.split("_")[1]
        catalog.append({
            "id": custom.id, "key": custom.id, "name": custom.name, "untranslatedName": custom.name,
            "custom": True, "orderable": True, "navigable": True, "searchable": True,
            "clauseNames": [f"cf[{number}]", custom.name],
            "schema": {"type": custom.type, "custom": _custom_type(custom), "customId": int(number)},
        })  # fmt: skip
    return catalog
