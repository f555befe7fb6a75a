"""Endpoints that read their raw body asynchronously (webhooks, Slack) must not do database work
on the event loop: a wait for SQLite's write lock (or a pooled connection) would stall every
request of the process. Here another connection holds the write lock while a signed webhook
arrives; the server must keep answering other requests until the lock is released.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from pathlib import Path

import httpx

from bench.common import serve
from tests.conftest import Database
from tracker.app import create_app
from tracker.config import ConnectionSettings, Settings
from tracker.wiring import webhook_codecs

SECRET = "loop-test-secret"
PAYLOAD = Path(__file__).resolve().parents[1] / "integrations" / "jira" / "payloads" / "issue_updated.json"


def test_a_webhook_waiting_for_the_database_does_not_stall_the_server(tmp_path: Path) -> None:
    db = Database("sqlite", tmp_path)
    settings = Settings(database_url=db.url, connections={"acme": ConnectionSettings(
        kind="jira", url="http://127.0.0.1:9", user="bot@example.com", token="t", webhook_secret=SECRET)})
    body = PAYLOAD.read_bytes()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    answers: dict[str, int] = {}
    with serve(create_app(settings, webhook_codecs=webhook_codecs())) as base:
        holder = db.engine.connect()
        holding = holder.begin()  # BEGIN IMMEDIATE (tracker/db.py): someone else is writing, for a while

        def post() -> None:
            response = httpx.post(f"{base}/webhooks/jira/acme", content=body, timeout=60, headers={
                "Content-Type": "application/json", "X-Hub-Signature": signature,
                "X-Atlassian-Webhook-Identifier": "loop-1"})
            answers["webhook"] = response.status_code

        poster = threading.Thread(target=post)
        try:
            poster.start()
            time.sleep(0.5)  # the webhook is now waiting for the write lock
            health = httpx.get(f"{base}/healthz", timeout=5)  # stalls if the loop is blocked
            answers["healthz"] = health.status_code
            assert "webhook" not in answers  # it really was still waiting
        finally:
            holding.rollback()
            holder.close()
            poster.join(timeout=60)
    assert answers["healthz"] == 200
    assert answers["webhook"] in (200, 202)
    db.dispose()
