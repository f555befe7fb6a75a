"""Settings from the environment (prefix TRACKER_); built on demand, never at import time."""

from __future__ import annotations

from functools import lru_cache

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class PriorityWeights(BaseSettings):
    """Default weights of the moment-of-truth priority formula (see tracker/moments/priority.py)."""

    model_config = SettingsConfigDict(env_prefix="TRACKER_WEIGHT_")

    reach: float = 0.3
    severity: float = 0.3
    emotional_weight: float = 0.2
    business_impact: float = 0.2


class ConnectionSettings(BaseModel):
    """One vendor account: TRACKER_CONNECTIONS__<NAME>__KIND=jira, __URL=..., __TOKEN=..., ..."""

    kind: str  # "jira" | "github"
    url: str
    user: str | None = None  # Jira: the account's email
    token: SecretStr
    webhook_secret: SecretStr | None = None
    bot_identity: str | None = None  # our account's accountId / login: its webhooks are echoes
    # GitHub pacing: seconds between writes (PyGithub default 1.0; 0.75 = 80 per minute) and
    # between any two requests (PyGithub default 0.25). PyGithub counts from the end of the
    # previous request, so the real rate stays a little under 1/seconds.
    seconds_between_writes: float | None = None
    seconds_between_requests: float | None = None
    # Longest the vendor's client may sleep before retrying a request in-process (None: the
    # adapters' defaults, up to 30 s). A longer Retry-After goes back to the worker, which
    # reschedules the message instead of parking its thread. Soak tests set it to ~0.05.
    max_retry_delay: float | None = None


class SlackSettings(BaseModel):
    """The Slack app: TRACKER_SLACK__BOT_TOKEN, TRACKER_SLACK__SIGNING_SECRET, ..."""

    bot_token: SecretStr
    signing_secret: SecretStr
    base_url: str = "https://slack.com/api/"  # the sandbox points this at the emulator
    app_name: str = "CX Tracker"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TRACKER_", env_file=".env", extra="ignore", env_nested_delimiter="__"
    )

    database_url: str = "sqlite:///./tracker.db"
    # Public base URL of this service: used for backlinks in tickets and Slack messages.
    base_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "info"
    page_size_default: int = 50
    page_size_max: int = 200
    weights: PriorityWeights = Field(default_factory=PriorityWeights)
    # Named vendor connections; ticket targets refer to them by name. Secrets live only here.
    connections: dict[str, ConnectionSettings] = Field(default_factory=dict)
    # Worker: how long a claimed outbox message is ours before another worker may take it over.
    # Short, because the worker renews it every third of it while the message is in hand.
    outbox_lease_seconds: int = 30
    outbox_max_attempts: int = 10
    # Multiplies the worker's exponential retry backoff (2**attempts s, jittered). A vendor's
    # Retry-After is always honoured in full. Tests and soaks shrink it (e.g. 0.02).
    outbox_backoff_scale: float = 1.0
    reconcile_interval_seconds: int = 300
    # Counted metrics (Jira/GitHub): closed periods counted back when a metric is created or
    # its query changes, and how often the worker looks for newly closed periods.
    metrics_backfill_periods: int = Field(default=12, ge=0, le=520)
    metrics_count_interval_seconds: int = 60
    slack: SlackSettings | None = None
    # `make run` sandbox: where the emulated Jira and GitHub listen (any free port if taken).
    sandbox_jira_port: int = 8101
    sandbox_github_port: int = 8102
    sandbox_slack_port: int = 8103


@lru_cache
def get_settings() -> Settings:
    return Settings()
