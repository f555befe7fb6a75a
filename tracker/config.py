"""Settings from the environment (prefix TRACKER_); built on demand, never at import time."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class PriorityWeights(BaseSettings):
    """Default weights of the moment-of-truth priority formula (see tracker/moments/priority.py)."""

    model_config = SettingsConfigDict(env_prefix="TRACKER_WEIGHT_")

    reach: float = 0.3
    severity: float = 0.3
    emotional_weight: float = 0.2
    business_impact: float = 0.2


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRACKER_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./tracker.db"
    # Public base URL of this service: used for backlinks in tickets and Slack messages.
    base_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "info"
    page_size_default: int = 50
    page_size_max: int = 200
    weights: PriorityWeights = Field(default_factory=PriorityWeights)


@lru_cache
def get_settings() -> Settings:
    return Settings()
