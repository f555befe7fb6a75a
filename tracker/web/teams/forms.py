"""The team forms, parsed with the API's own bodies (TeamCreate, NudgePolicyUpdate) so the page
and the API accept and refuse the same values; only what HTML forms do differently is handled
here (empty inputs, unticked checkboxes, text around names)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ConfigDict, Field, TypeAdapter, ValidationError, field_validator, model_validator

from tracker.api.params import PlanDate
from tracker.nudges.policy import Rules
from tracker.nudges.schemas import NudgePolicyUpdate
from tracker.people.schemas import TeamCreate

TEAM_FIELDS = ("name", "department", "lead_id", "slack_channel", "timezone", "ticket_target_id")
CHECKBOXES = ("remind_on_due_day", "skip_weekends")
NUMBERS = tuple(name for name in Rules.field_names() if name not in CHECKBOXES)


class TeamForm(TeamCreate):
    """A new team: the API's body. "No lead", "no channel" and "no ticket target" are empty."""

    model_config = ConfigDict(extra="ignore")

    @field_validator("name", "department", "slack_channel", "timezone", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        # A trailing space is a typo, and it would make "Billing " a second Billing.
        return value.strip() if isinstance(value, str) else value

    @field_validator("lead_id", "slack_channel", "ticket_target_id", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    def data(self) -> dict[str, Any]:
        return self.model_dump(include=set(TEAM_FIELDS))


class TeamEditForm(TeamForm):
    """An edit: every field as the page showed it (a field left empty clears it), with the
    team's version and the newest activity entry the page showed (a stale edit lists what came
    after it)."""

    version: int = Field(ge=1, description="The team's version the page showed.")
    seen_activity: int = Field(0, ge=0)


class PolicyForm(NudgePolicyUpdate):
    """The nudge policy form: the API's body and bounds, but every rule is required (the form
    shows them all), an unticked checkbox is False, and the preview's example deadline rides
    along (saving ignores it)."""

    model_config = ConfigDict(extra="ignore")

    version: int = Field(ge=0, description="The policy's version the page showed (0: the defaults).")
    seen_activity: int = Field(0, ge=0)
    example_deadline: PlanDate | None = None

    @model_validator(mode="before")
    @classmethod
    def _as_html_sends_it(cls, values: Any) -> Any:
        if not isinstance(values, dict):
            return values
        values = dict(values)
        for name in CHECKBOXES:
            values[name] = name in values  # HTML leaves an unticked box out altogether
        for name in NUMBERS:
            values.setdefault(name, "")  # missing is refused like empty, next to its input
        if not str(values.get("example_deadline", "")).strip():
            values["example_deadline"] = None
        return values

    @field_validator(*NUMBERS, mode="before")
    @classmethod
    def _whole_number(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValueError("enter a whole number")
        return value.strip() if isinstance(value, str) else value

    def rules(self) -> Rules:
        return Rules(**self.policy())

    def policy(self) -> dict[str, Any]:
        """The body put_policy takes: every rule, as typed."""
        return {name: getattr(self, name) for name in Rules.field_names()}


_EXAMPLE = TypeAdapter(PlanDate)


def example_deadline(raw: str | None) -> tuple[date | None, str | None]:
    """The reader's `example_deadline` query parameter: (the date or None, the error or None)."""
    if raw is None or not raw.strip():
        return None, None
    try:
        return _EXAMPLE.validate_python(raw.strip()), None
    except ValidationError as exc:
        return None, str(exc.errors()[0]["msg"]).removeprefix("Value error, ")


def number_bounds() -> dict[str, tuple[int | None, int | None]]:
    """Each rule's (min, max), read from the API's schema: the inputs show the limits the
    server enforces, from the one place they are written."""
    bounds: dict[str, tuple[int | None, int | None]] = {}
    for name in NUMBERS:
        low = high = None
        for constraint in NudgePolicyUpdate.model_fields[name].metadata:
            low = getattr(constraint, "ge", low)
            high = getattr(constraint, "le", high)
        bounds[name] = (low, high)
    return bounds
