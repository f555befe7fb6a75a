"""Input types shared by the schemas: bounded ids (32-bit database integers, so larger numbers are
invalid input (422), not a driver overflow (500)), strict booleans and planning dates."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from fastapi import Path, Query
from pydantic import BeforeValidator, Field

MAX_ID = 2**31 - 1

IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
Limit = Annotated[int, Query(ge=1, le=200)]


# Strict input. Pydantic's lax mode turns `true` into 1 (an id: person 1, the first admin) and a
# number into a date (0 is 1970-01-01); neither is ever what the caller meant. Digit strings stay
# accepted for ids (HTML forms post text), never booleans or floats.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _integer_id(value: object) -> object:
    if isinstance(value, bool | float):
        raise ValueError("must be an integer id")
    return value


def _iso_date(value: object) -> object:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise ValueError("must be a date written YYYY-MM-DD")

# Deadlines and due dates: a typo (year 0269) or a sentinel (9999-12-31) would pass to the
# vendors, whose own limits then fail the sync; nobody plans work this far either way.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)

DbId = Annotated[int, BeforeValidator(_integer_id), Field(ge=1, le=MAX_ID)]
StrictBool = Annotated[bool, Field(strict=True)]
PlanDate = Annotated[date, BeforeValidator(_iso_date), Field(ge=EARLIEST_DATE, le=LATEST_DATE)]
