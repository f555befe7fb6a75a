"""The app as a serving process runs it: built, then readied once before its first request.

Readying does up front what the first requests would otherwise pay for (parsing every
template, configuring the ORM mappers), then moves everything alive at that point (the app,
its routes, models, templates and libraries: some 300k objects) out of the garbage
collector's sight with `gc.freeze()`. Without that, every full collection walks all of them,
and one lands every few big pages: 150-250 ms pauses that made the p99 of a board 290 ms
against a p50 of 40 ms. With it the pauses take a few milliseconds (bench/pages.py measures
the app readied this way).
"""

from __future__ import annotations

import gc

from fastapi import FastAPI
from sqlalchemy.orm import configure_mappers

from tracker.app import create_app
from tracker.web.templating import compile_templates


def ready(app: FastAPI) -> FastAPI:
    compile_templates()
    configure_mappers()
    gc.collect()
    gc.freeze()
    return app


def served_app() -> FastAPI:
    """The uvicorn factory of `tracker serve` (and so of `make run`)."""
    return ready(create_app())
