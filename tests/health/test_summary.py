"""The health summary: per-connection figures from the outbox, links, targets and webhooks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import Database
from tests.factories.health import GITHUB, JIRA, SECRET, TOKEN, HealthWorld, health_settings
from tracker.errors import Forbidden
from tracker.health.connections import SLACK
from tracker.health.schemas import HealthOut
from tracker.health.service import ConnectionHealth, summary
from tracker.outbox.service import enqueue
from tracker.people.models import Role
from tracker.types import utcnow


def _by_name(connections: list[ConnectionHealth]) -> dict[str, ConnectionHealth]:
    return {c.name: c for c in connections}


def test_each_connection_has_its_figures(session: Session, database: Database) -> None:
    world = HealthWorld.build(session, utcnow())
    found = summary(session, actor=world.lead, settings=health_settings(database.url), now=world.now)
    c = _by_name(found.connections)
    assert list(c) == [JIRA, GITHUB, SLACK]

    jira = c[JIRA]
    assert (jira.kind, jira.configured, jira.host) == ("jira", True, "https://acme.atlassian.example")
    assert jira.last_success_at == world.now - timedelta(minutes=2) and jira.last_success_kind == "ticket.sync"
    assert (jira.backlog, jira.waiting, jira.dead, jira.broken_links) == (3, 1, 1, 1)  # 2 syncs + 1 reconcile
    assert jira.oldest_pending_at == world.now - timedelta(minutes=30)
    assert jira.webhooks is not None
    assert (jira.webhooks.received, jira.webhooks.by_outcome) == (2, {"queued": 1, "echo": 1})
    assert jira.webhooks.last_received_at == world.now - timedelta(hours=1)
    assert jira.webhooks.rejected == 4  # the refusals of three days ago are not counted
    assert [(t.name, t.watermark) for t in jira.targets] == [("Billing Jira", "2026-12-01T08:00:00Z")]
    assert jira.targets[0].reconciled_at == world.now - timedelta(minutes=4)
    assert jira.status == "attention"
    assert jira.problems == ["1 message(s) given up", "1 broken ticket link(s)",
                             "4 request(s) refused for their signature in 24 h",
                             "the oldest waiting message is 30 min old"]

    github = c[GITHUB]  # a target still names it, but it is gone from the environment
    assert (github.kind, github.configured, github.backlog, github.dead) == ("github", False, 0, 0)
    assert github.problems == ["not configured in this process's environment"]

    slack = c[SLACK]
    assert (slack.configured, slack.host, slack.dead, slack.backlog) == (True, "https://slack.example", 1, 0)
    assert slack.last_success_at is None


def test_the_lists_say_what_each_message_is_about(session: Session, database: Database) -> None:
    world = HealthWorld.build(session, utcnow())
    found = summary(session, actor=world.lead, settings=health_settings(database.url), now=world.now)
    assert [(m.id, m.what, m.connection, m.item_id) for m in found.dead] == [
        (world.dead_nudge.id, "Slack reminder", SLACK, world.linked.id),  # given up last: first
        (world.dead_sync.id, "Ticket sync", JIRA, world.broken.id)]
    assert found.dead_total == 2
    assert [(m.id, m.attempts, m.last_error) for m in found.waiting] == [
        (world.waiting.id, 2, "jira BILL: 429 Too Many Requests (Retry-After 90)")]
    assert found.waiting_total == 1
    [broken] = found.broken
    assert (broken.item_id, broken.item_title, broken.target, broken.remote_key) == (
        world.broken.id, "Fix the VAT line", "Billing Jira", "BILL-2")
    assert broken.reason and broken.reason.startswith("gave up after 3 attempts")


def test_a_quiet_programme_is_all_ok(session: Session, database: Database) -> None:
    lead = factories.person(session, Role.lead)
    found = summary(session, actor=lead, settings=health_settings(database.url), now=utcnow())
    assert [(c.name, c.status, c.backlog, c.dead) for c in found.connections] == [
        (JIRA, "ok", 0, 0), (SLACK, "ok", 0, 0)]
    assert (found.dead, found.waiting, found.broken) == ([], [], [])


def test_without_slack_its_card_is_off_until_something_waits_for_it(session: Session, database: Database) -> None:
    lead = factories.person(session, Role.lead)
    settings = health_settings(database.url).model_copy(update={"slack": None})
    [slack] = [c for c in summary(session, actor=lead, settings=settings, now=utcnow()).connections if c.name == SLACK]
    assert (slack.configured, slack.status, slack.problems, slack.host) == (False, "off", [], None)
    enqueue(session, kind="slack.digest", payload={"delivery_id": 1})
    [slack] = [c for c in summary(session, actor=lead, settings=settings, now=utcnow()).connections if c.name == SLACK]
    assert (slack.status, slack.backlog, slack.problems) == (
        "attention", 1, ["not configured in this process's environment"])


def test_no_secret_is_ever_part_of_it(session: Session, database: Database) -> None:
    world = HealthWorld.build(session, utcnow())
    found = summary(session, actor=world.lead, settings=health_settings(database.url), now=world.now)
    text = HealthOut.model_validate(found).model_dump_json()
    for secret in (TOKEN, SECRET, "inline-password", "xoxb-never-show", "bot@acme.example"):
        assert secret not in text


def test_unwritten_refusals_of_this_process_are_added(session: Session, database: Database) -> None:
    world = HealthWorld.build(session, utcnow())
    found = summary(session, actor=world.lead, settings=health_settings(database.url), now=world.now,
                    unwritten_rejections={f"jira:{JIRA}": 2, "slack": 1})
    c = _by_name(found.connections)
    assert c[JIRA].webhooks and c[JIRA].webhooks.rejected == 6
    assert c[SLACK].webhooks and c[SLACK].webhooks.rejected == 1


@pytest.mark.parametrize("role", [Role.owner, Role.viewer])
def test_only_leads_and_admins_see_it(session: Session, database: Database, role: Role) -> None:
    with pytest.raises(Forbidden):
        summary(session, actor=factories.person(session, role), settings=health_settings(database.url), now=utcnow())
