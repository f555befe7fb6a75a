from __future__ import annotations

from pydantic import BaseModel, EmailStr, Field, field_validator

from tracker.people.identities import GithubLogin, JiraAccountId, SlackUserId
from tracker.people.models import Role
from tracker.people.schemas import valid_timezone


class InviteForm(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr
    role: Role


def _blank_is_none(value: object) -> object:
    return None if value == "" else value


class PersonEditForm(BaseModel):
    """An admin's edit of a person. An empty identity clears it; an unticked box is inactive."""

    name: str = Field(min_length=1, max_length=200)
    role: Role
    timezone: str = Field(min_length=1, max_length=64)
    active: bool = False
    slack_user_id: SlackUserId | None = None
    jira_account_id: JiraAccountId | None = None
    github_login: GithubLogin | None = None
    version: int = Field(ge=1, description="The person's version the page showed.")

    @field_validator("slack_user_id", "jira_account_id", "github_login", mode="before")
    @classmethod
    def _blank_clears(cls, value: object) -> object:
        return _blank_is_none(value.strip() if isinstance(value, str) else value)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return valid_timezone(value)

    def changes(self) -> dict[str, object]:
        return self.model_dump(exclude={"version"})
