"""Typed form input: a pydantic model per form, parsed by a dependency that never raises.

A route gets `FormResult[Model]`: the model when the form is valid, else the raw values (to
fill the form again) and one message per field, so it can answer 422 with the form and its
errors instead of the API's JSON.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from tracker.errors import TrackerError
from tracker.web.csrf import FIELD as CSRF_FIELD

M = TypeVar("M", bound=BaseModel)
GENERAL = "__all__"  # errors that belong to the form rather than to one field


@dataclass
class FormResult(Generic[M]):
    data: M | None
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def fail(self, exc: TrackerError) -> FormResult[M]:
        """The service refused the input: keep the values, show its message on its field."""
        return FormResult(None, self.values, {**self.errors, exc.field or GENERAL: exc.message})


def _errors(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors():
        name = ".".join(str(p) for p in error.get("loc", ())) or GENERAL
        errors.setdefault(name, str(error.get("msg", "invalid")).removeprefix("Value error, "))
    return errors


def form_of(model: type[M]) -> Callable[[Request], Awaitable[FormResult[M]]]:
    async def parse(request: Request) -> FormResult[M]:
        form = await request.form()
        values = {k: v for k, v in form.items() if isinstance(v, str) and k != CSRF_FIELD}
        try:
            return FormResult(model.model_validate(values), values)
        except ValidationError as exc:
            return FormResult(None, values, _errors(exc))

    return parse
