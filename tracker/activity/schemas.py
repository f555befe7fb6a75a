from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from tracker.activity.source import Source


class ActivityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor_id: int | None
    actor_label: str
    source: Source
    entity_type: str
    entity_id: int
    action: str
    changes: dict[str, Any]
    action_item_id: int | None
    moment_id: int | None
