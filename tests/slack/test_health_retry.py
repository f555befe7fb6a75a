"""A Slack reminder given up while Slack kept failing is retried from the integration health
page, and the real worker then posts it to the Slack emulator."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from integrations.emulation import Fault, FaultPlan
from integrations.slack.emulator import SlackEmulator
from tests.factories.slack import SlackWorld
from tests.slack.conftest import Clock, drain, outbox
from tracker.auth.sessions import start_session
from tracker.health.connections import SLACK
from tracker.health.models import ConnectionActivity
from tracker.nudges.models import NudgeState
from tracker.outbox.models import OutboxState
from tracker.web.session import COOKIE
from tracker.worker.runner import Worker

HTML = {"Accept": "text/html"}


def test_a_given_up_reminder_retried_from_the_page_reaches_slack(
        world: SlackWorld, emulator: SlackEmulator, slack_client: TestClient, worker: Worker, clock: Clock,
        session: Session) -> None:
    nudge = world.nudge(world.item(title="Explain the plan codes"))
    emulator.faults = FaultPlan(rate=1.0, kinds=(Fault.SERVER_ERROR,), path_pattern=r"chat\.postMessage$")
    drain(worker, clock, rounds=8)
    [message] = outbox(session, "slack.nudge")
    assert message.state is OutboxState.dead and message.attempts == worker.max_attempts
    assert world.refreshed(nudge).state is NudgeState.failed
    assert emulator.messages_for_user(world.owner.slack_user_id or "") == []

    web, secret = start_session(session, person=world.lead)
    session.commit()
    slack_client.cookies.set(COOKIE, secret)
    page = slack_client.get("/app/health", headers=HTML).text
    row = re.search(rf'<tr id="message-{message.id}">.*?</tr>', page, re.S)
    assert row and "Slack reminder" in row.group(0) and "gave up after" in row.group(0)

    emulator.faults = FaultPlan()  # Slack is back
    retried = slack_client.post("/app/health/retry", data={"message_id": str(message.id),
                                                           "csrf_token": web.csrf_token},
                                headers=HTML, follow_redirects=False)
    assert retried.status_code == 303, retried.text[:300]
    assert world.refreshed(nudge).state is NudgeState.pending
    worker.run_until_idle()

    assert world.refreshed(nudge).state is NudgeState.sent
    [posted] = emulator.messages_for_user(world.owner.slack_user_id or "")
    assert "Explain the plan codes" in posted.text
    [message] = outbox(session, "slack.nudge")
    assert message.state is OutboxState.done
    last = session.get(ConnectionActivity, SLACK)
    assert last is not None and last.last_success_kind == "slack.nudge"
