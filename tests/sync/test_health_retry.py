"""A ticket sync that gave up against a failing vendor is retried from the integration health
page once the vendor is back, and the real worker then creates the ticket in the emulator."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from integrations.emulation import Fault, FaultPlan
from tests.sync.conftest import World
from tests.sync.harness import Vendor
from tests.sync.test_failures import _run_with_time_travel
from tests.sync.test_roundtrip import link_of, push
from tracker.auth.sessions import start_session
from tracker.health.models import ConnectionActivity
from tracker.outbox.models import OutboxMessage, OutboxState
from tracker.sync.models import LinkState
from tracker.types import utcnow
from tracker.web.session import COOKIE
from tracker.worker.runner import Worker

HTML = {"Accept": "text/html"}


def test_a_given_up_sync_retried_from_the_page_reaches_the_vendor(
        sync_client: TestClient, world: World, vendor: Vendor, worker: Worker, session: Session) -> None:
    vendor.emulator.faults = FaultPlan(rate=1.0, kinds=(Fault.SERVER_ERROR,))
    item = world.item()
    push(sync_client, world, item.id)
    _run_with_time_travel(worker, rounds=12)
    message = session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "ticket.sync"))
    assert message is not None and message.state is OutboxState.dead
    assert link_of(session, item.id).state is LinkState.broken and vendor.tickets() == []

    web, secret = start_session(session, person=world.lead)
    session.commit()
    sync_client.cookies.set(COOKIE, secret)
    page = sync_client.get("/app/health", headers=HTML).text
    row = re.search(rf'<tr id="message-{message.id}">.*?</tr>', page, re.S)
    assert row and f"gave up after {worker.max_attempts} attempts" in row.group(0)
    assert 'action="/app/health/retry"' in row.group(0)

    vendor.emulator.faults = FaultPlan()  # the vendor is back
    retried = sync_client.post("/app/health/retry", data={"message_id": str(message.id), "csrf_token": web.csrf_token},
                               headers=HTML, follow_redirects=False)
    assert retried.status_code == 303, retried.text[:300]
    worker.ctx.clock = utcnow
    worker.run_until_idle()

    [ticket] = vendor.tickets()
    link = link_of(session, item.id)
    assert link.state is LinkState.linked and link.remote_key == ticket["key"]
    assert ticket["title"] == item.title
    session.expire_all()
    done = session.get(OutboxMessage, message.id)
    assert done is not None and (done.state, done.attempts) == (OutboxState.done, 1)
    last = session.get(ConnectionActivity, vendor.connection_name)
    assert last is not None and last.last_success_kind == "ticket.sync"
    page = sync_client.get("/app/health", headers=HTML).text
    assert "Nothing given up." in page and "No broken ticket links." in page
