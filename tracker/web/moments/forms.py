"""Typed inputs of the moments pages: the what-if weights, a pin, and the promote form."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from tracker.api.input import Input
from tracker.moments.priority import VALUE_FACTORS


class WeightsForm(Input):
    """The four weights of the priority formula, as typed in the what-if form."""

    reach: float = Field(ge=0, le=1000, allow_inf_nan=False)
    severity: float = Field(ge=0, le=1000, allow_inf_nan=False)
    emotional_weight: float = Field(ge=0, le=1000, allow_inf_nan=False)
    business_impact: float = Field(ge=0, le=1000, allow_inf_nan=False)


class SaveWeightsForm(WeightsForm):
    # None the first time a lead saves weights (nothing to be stale against yet).
    version: int | None = Field(None, ge=1)
    seen_activity: int = Field(0, ge=0)


def has_weights(values: Mapping[str, str]) -> bool:
    """A what-if request names at least one weight; a plain visit names none."""
    return any(name in values for name in VALUE_FACTORS)


class PinForm(Input):
    rank: int = Field(ge=1, le=100_000)
    reason: str = Field(min_length=1, max_length=2000)
    version: int = Field(ge=1)
    seen_activity: int = Field(0, ge=0)


class UnpinForm(Input):
    version: int = Field(ge=1)
    seen_activity: int = Field(0, ge=0)


ITEM_FIELDS = ("title", "description", "owner_id", "team_id", "deadline", "priority", "training_needed")
MAX_ROWS = 20


def row_count(values: Mapping[str, str]) -> int:
    """How many action-item rows the form showed (`rows`), at least one."""
    try:
        rows = int(values.get("rows", "1"))
    except ValueError:
        rows = 1
    return min(max(rows, 1), MAX_ROWS)


def promote_body(values: Mapping[str, str], *, moment_id: int) -> tuple[dict[str, Any], list[int]]:
    """The flat form (`investigation.title`, `action_items.1.owner_id`, ...) as the promote
    service's nested body, and for each item the form row it came from.

    Input names are the service's error paths, so an error's `field` names its input once the
    item index is mapped back to its row (blank rows are left out of the body). A blank field
    stays missing, so validation says it is needed rather than that "" is not a number.
    """
    def given(name: str) -> str | None:
        value = values.get(name, "").strip()
        return value or None

    investigation: dict[str, Any] = {}
    for name in ("title", "owner_id", "due_date"):
        if (value := given(f"investigation.{name}")) is not None:
            investigation[name] = value
    hypotheses = [line.strip() for line in values.get("investigation.hypotheses", "").splitlines()]
    investigation["hypotheses"] = [h for h in hypotheses if h]
    items: list[dict[str, Any]] = []
    rows: list[int] = []
    for index in range(row_count(values)):
        row: dict[str, Any] = {name: value for name in ITEM_FIELDS
                               if (value := given(f"action_items.{index}.{name}")) is not None}
        if not (row.keys() - {"priority"}):
            continue  # an untouched row (its priority select always has a value)
        row["training_needed"] = "training_needed" in row
        items.append(row)
        rows.append(index)
    body = {"source": {"moment_id": moment_id}, "investigation": investigation, "action_items": items}
    return body, rows


def field_of_row(field: str, rows: list[int]) -> str:
    """`action_items.<k>.x` of the body -> the input of the form row item k came from."""
    parts = field.split(".")
    if len(parts) >= 2 and parts[0] == "action_items" and parts[1].isdigit() and int(parts[1]) < len(rows):
        parts[1] = str(rows[int(parts[1])])
    return ".".join(parts)
