from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from tracker.api.input import Input
from tracker.api.params import DbId, StrictBool
from tracker.people.identities import GithubLogin, JiraAccountId, SlackUserId
from tracker.people.models import Role


def valid_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown timezone {value!r}; use an IANA name like 'Europe/Berlin'") from exc
    return value


class PersonCreate(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Priya Shah",
                    "email": "priya.shah@example.com",
                    "role": "owner",
                    "timezone": "Europe/London",
                    "slack_user_id": "U024BE7LH",
                }
            ]
        }
    )

    name: str = Field(min_length=1, max_length=200)
    email: EmailStr
    role: Role
    timezone: str = "UTC"
    slack_user_id: SlackUserId | None = None
    jira_account_id: JiraAccountId | None = None
    github_login: GithubLogin | None = Field(None, description="Admins only, like the other identities.")

    _tz = field_validator("timezone")(valid_timezone)


class PersonUpdate(Input):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"timezone": "America/New_York", "version": 1}]}
    )

    name: str | None = Field(None, min_length=1, max_length=200)
    role: Role | None = None
    timezone: str | None = None
    slack_user_id: SlackUserId | None = None
    jira_account_id: JiraAccountId | None = None
    github_login: GithubLogin | None = Field(None, description="Admins only, like the other identities.")
    active: StrictBool | None = None
    version: int | None = Field(None, description="The version you edited (or send If-Match).")

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str | None) -> str | None:
        return None if value is None else valid_timezone(value)


class PersonOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str
    role: Role
    timezone: str
    slack_user_id: str | None
    jira_account_id: str | None
    github_login: str | None
    active: bool
    created_at: datetime
    version: int


class TeamCreate(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Billing",
                    "department": "billing",
                    "lead_id": 1,
                    "slack_channel": "#billing-cx",
                    "timezone": "Europe/Berlin",
                }
            ]
        }
    )

    name: str = Field(min_length=1, max_length=120)
    department: str = Field(min_length=1, max_length=60)
    lead_id: DbId | None = None
    slack_channel: str | None = Field(None, max_length=80)
    timezone: str = "UTC"
    ticket_target_id: DbId | None = Field(None, description="Where the team's action items become tickets.")

    _tz = field_validator("timezone")(valid_timezone)


class TeamUpdate(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [{"slack_channel": "#billing", "version": 1}]})

    name: str | None = Field(None, min_length=1, max_length=120)
    department: str | None = Field(None, min_length=1, max_length=60)
    lead_id: DbId | None = None
    slack_channel: str | None = Field(None, max_length=80)
    timezone: str | None = None
    ticket_target_id: DbId | None = None
    version: int | None = None

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str | None) -> str | None:
        return None if value is None else valid_timezone(value)


class TeamOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    department: str
    lead_id: int | None
    slack_channel: str | None
    timezone: str
    ticket_target_id: int | None
    version: int


class TokenCreate(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "laptop"}]})

    name: str = Field(min_length=1, max_length=100)


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    person_id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="The secret. Shown only now: store it, it cannot be read again.")
