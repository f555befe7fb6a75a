from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from tracker.activity.models import ActivityEntry
from tracker.activity.source import Source
from tracker.activity.visibility import visible_changes
from tracker.people.models import Person


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

    @classmethod
    def for_viewer(cls, entry: ActivityEntry, viewer: Person) -> ActivityOut:
        """The entry as `viewer` may read it (tracker.activity.visibility)."""
        return cls.model_validate(entry).model_copy(update={"changes": visible_changes(entry, viewer)})
