"""A serving process readies the app before its first request (tracker/serving.py)."""

from __future__ import annotations

import gc
from pathlib import Path

from tracker import serving
from tracker.app import create_app
from tracker.config import Settings
from tracker.web.templating import TEMPLATES, environment


def test_readying_parses_every_template_and_freezes_what_lives() -> None:
    environment.cache_clear()
    app = create_app(Settings(database_url="sqlite://"))
    try:
        assert serving.ready(app) is app
        frozen = gc.get_freeze_count()
        assert frozen > 10_000  # the app, its routes, models and libraries: out of the collector's walk
        pages = sorted(str(p.relative_to(TEMPLATES)) for p in Path(TEMPLATES).rglob("*.html"))
        cached = {key[1] for key in environment().cache} if environment().cache is not None else set()
        assert set(pages) <= cached, sorted(set(pages) - cached)
    finally:
        gc.unfreeze()  # the rest of the test run collects as usual

