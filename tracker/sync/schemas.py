from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tracker.api.input import Input
from tracker.sync.models import LinkState, TargetKind

_JIRA_KEY = re.compile(r"^[A-Z][A-Z0-9_]{0,19}$")
_GITHUB_REPO = re.compile(r"^[A-Za-z0-9-]{1,39}/[A-Za-z0-9._-]{1,100}$")


def _check_project(kind: TargetKind, project: str) -> None:
    if kind is TargetKind.jira and not _JIRA_KEY.match(project):
        raise ValueError("project must be a Jira project key like 'CX' (capitals, digits, _)")
    if kind is TargetKind.github and not _GITHUB_REPO.match(project):
        raise ValueError("project must be a GitHub repository as 'owner/name'")


class TargetCreate(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "name": "Billing Jira", "kind": "jira", "connection": "acme_jira", "project": "BILL",
        "issue_type": "Task", "mapping": {"status_for_phase": {"training": "In Review"}},
    }]})

    name: str = Field(min_length=1, max_length=120)
    kind: TargetKind
    connection: str = Field(min_length=1, max_length=60, description="A connection configured in the environment.")
    project: str = Field(min_length=1, max_length=200, description="Jira project key, or GitHub 'owner/name'.")
    issue_type: str = Field("Task", min_length=1, max_length=60)
    mapping: dict[str, Any] = Field(default_factory=dict, description="Overrides of the default field mapping.")

    @model_validator(mode="after")
    def _project_shape(self) -> TargetCreate:
        _check_project(self.kind, self.project)
        return self


class TargetUpdate(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [{"issue_type": "Story", "version": 1}]})

    name: str | None = Field(None, min_length=1, max_length=120)
    connection: str | None = Field(None, min_length=1, max_length=60)
    project: str | None = Field(None, min_length=1, max_length=200)
    issue_type: str | None = Field(None, min_length=1, max_length=60)
    mapping: dict[str, Any] | None = None
    version: int | None = None


class TargetOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: TargetKind
    connection: str
    project: str
    issue_type: str
    mapping: dict[str, Any]
    reconciled_at: datetime | None
    version: int


class LinkOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    action_item_id: int
    target_id: int
    state: LinkState
    remote_key: str | None
    remote_url: str | None
    remote_status: str | None
    broken_reason: str | None
    broken_at: datetime | None
    last_synced_at: datetime | None
    pending_fields: list[str] = Field(default_factory=list, description="Tracker changes not yet on the ticket.")

    @model_validator(mode="before")
    @classmethod
    def _pending(cls, value: Any) -> Any:
        if hasattr(value, "dirty_fields"):
            data = {k: getattr(value, k) for k in cls.model_fields if hasattr(value, k)}
            data["pending_fields"] = list(value.dirty_fields or [])
            return data
        return value


class TargetChoice(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [{"ticket_target_id": 1}]})

    ticket_target_id: int | None = Field(None, ge=1, le=2**31 - 1)


class WebhookReceipt(BaseModel):
    outcome: str
    delivery_id: str
