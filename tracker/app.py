"""The FastAPI application factory. Nothing here runs at import time."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from tracker import nudges, sync, wiring
from tracker.api.body_limits import BodyLimits
from tracker.api.error_schema import ERROR_RESPONSES
from tracker.api.errors import UnexpectedErrors, install_error_handlers
from tracker.api.routes import include_routers
from tracker.config import Settings, get_settings
from tracker.db import make_engine, make_session_factory, read_only_factory
from tracker.messaging.ports import InteractionCodec
from tracker.sync.ports import WebhookCodec
from tracker.web.install import install_web

DESCRIPTION = """
The tracker turns the findings of customer journey mapping (friction points and prioritized
moments of truth) into root-cause investigations and owned action items, and follows each one
through implementation, employee training and closing the loop with affected customers.

Every endpoint except `/healthz` needs a personal API token: `Authorization: Bearer trk_...`.
Updates name the version they were made against (`If-Match: "3"` or a `version` field).
Errors always look like `{"error": {"code", "message", "field"}}`.
"""


def create_app(
    settings: Settings | None = None,
    *,
    session_factory: sessionmaker[Session] | None = None,
    webhook_codecs: dict[str, WebhookCodec] | None = None,
    slack_codec: InteractionCodec | None = None,
) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="Tracker", version="0.1.0", description=DESCRIPTION, responses=ERROR_RESPONSES,
        docs_url=None, redoc_url=None,  # served from vendored assets by tracker.web.docs
    )
    app.state.settings = settings
    app.state.session_factory = session_factory or make_session_factory(make_engine(settings.database_url))
    app.state.read_session_factory = read_only_factory(app.state.session_factory)
    app.state.webhook_codecs = webhook_codecs if webhook_codecs is not None else wiring.webhook_codecs()
    app.state.mapping_check = wiring.check_mapping
    app.state.slack_codec = slack_codec if slack_codec is not None else wiring.slack_codec()
    sync.install()
    nudges.install()
    install_error_handlers(app)
    app.add_middleware(UnexpectedErrors)
    app.add_middleware(BodyLimits)  # outermost: refuses oversized bodies before anything reads them
    include_routers(app)
    install_web(app)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """Liveness: answers without a token."""
        return {"status": "ok"}

    return app
