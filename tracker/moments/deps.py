"""The default priority weights come from the app's settings (never read at import time)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from tracker.moments.priority import Weights


def _default_weights(request: Request) -> Weights:
    return Weights.of(request.app.state.settings.weights)


DefaultWeights = Annotated[Weights, Depends(_default_weights)]
