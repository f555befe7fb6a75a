from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tracker.api.input import Input
from tracker.api.params import DbId, StrictBool


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class TargetStateOut(_Out):
    id: int
    name: str
    project: str
    watermark: str | None = Field(description="How far reconciliation has read the target's changes.")
    reconciled_at: datetime | None = Field(description="When reconciliation last ran to the end.")


class WebhooksOut(_Out):
    source: str
    received: int = Field(description="Deliveries taken in the last 24 hours (not counted for Slack).")
    by_outcome: dict[str, int]
    last_received_at: datetime | None
    rejected: int = Field(description="Requests refused for their signature in about the last 24 hours.")


class ConnectionOut(_Out):
    name: str
    kind: str
    configured: bool
    host: str | None = Field(description="Scheme and host of the connection's URL; never a credential.")
    status: str = Field(description="ok, retrying (messages wait after a failure), attention (see problems) "
                                    "or off (Slack not configured, nothing waiting for it).")
    problems: list[str]
    last_success_at: datetime | None = Field(description="When the worker last delivered a message through it.")
    last_success_kind: str | None
    backlog: int = Field(description="Messages waiting to be delivered.")
    oldest_pending_at: datetime | None
    waiting: int = Field(description="Messages waiting for their next attempt after a failure (backoff, rate limit).")
    in_hand: int
    dead: int = Field(description="Messages given up after their last attempt.")
    broken_links: int
    targets: list[TargetStateOut]
    webhooks: WebhooksOut | None


class MessageOut(_Out):
    id: int
    kind: str
    what: str
    connection: str
    item_id: int | None
    attempts: int
    last_error: str | None
    created_at: datetime
    available_at: datetime = Field(description="When it is (or was) next due.")
    completed_at: datetime | None = Field(description="For a given-up message: when it was given up.")


class BrokenLinkOut(_Out):
    item_id: int
    item_title: str
    connection: str
    target: str
    remote_key: str | None
    remote_url: str | None
    reason: str | None
    broken_at: datetime | None


class HealthOut(_Out):
    generated_at: datetime
    connections: list[ConnectionOut]
    dead: list[MessageOut] = Field(description="The 50 most recently given-up messages.")
    dead_total: int
    waiting: list[MessageOut] = Field(description="The 50 failed messages due soonest.")
    waiting_total: int
    broken: list[BrokenLinkOut] = Field(description="The 50 most recently broken ticket links.")
    broken_total: int


class RetryIn(Input):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"message_id": 17}, {"all": True}]})

    message_id: DbId | None = Field(None, description="The given-up message to retry.")
    all: StrictBool = Field(False, description="Retry every given-up message (up to 500 per call).")

    @model_validator(mode="after")
    def _one_of(self) -> RetryIn:
        if (self.message_id is None) == (not self.all):
            raise ValueError("send either message_id or all: true (one of them, not both)")
        return self


class RetriedOut(_Out):
    message_id: int
    kind: str
    item_id: int | None
    link_resumed: bool


class RetryOut(_Out):
    retried: list[RetriedOut]
    still_dead: int = Field(description="Given-up messages left (retry all takes 500 at a time).")
