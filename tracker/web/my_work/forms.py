"""Typed inputs of My work's row forms: the same four things the Slack buttons and the work-plan
form send. Each carries the newest activity entry the page showed, so a stale form can list
what others changed since."""

from __future__ import annotations

from pydantic import Field

from tracker.actions.models import Phase
from tracker.api.input import Input


class _Seen(Input):
    seen_activity: int = Field(0, ge=0)


class NextPhaseForm(_Seen):
    # The phase the button promised and the item's version the page showed: the item moves to
    # exactly what the person read, and only if nobody changed it meanwhile.
    to: Phase
    version: int = Field(ge=1)


class UpdateForm(_Seen):
    note: str = Field(min_length=1, max_length=5000)


class SnoozeForm(_Seen):
    """A snooze sends nothing else: the team's policy decides how long, and how often."""


class WorkPlanForm(_Seen):
    text: str = Field(min_length=1, max_length=20000)
    version: int = Field(ge=1)
