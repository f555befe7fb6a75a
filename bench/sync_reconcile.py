"""Reconciliation cost with many linked tickets and few changes (see bench/sync.py).

The tickets are seeded straight into the emulator (its Python API) with a manual clock, spread
over the past hours, and linked in a fresh database with snapshots read from the emulator, so
the database and the vendor agree before a person changes `changed` of them.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update

from bench.common import fresh_database
from integrations.github import emulator as gh
from integrations.github.emulator_ratelimit import RateLimits
from integrations.github.mapping import body_with_marker
from integrations.jira import emulator as jira
from integrations.jira.emulator_model import ManualClock as JiraClock
from tracker.actions.models import ActionItem, Phase, Priority
from tracker.config import Settings
from tracker.db import make_session_factory, transaction
from tracker.outbox.models import OutboxMessage, OutboxState
from tracker.people.models import Person, Role, Team
from tracker.sync.inbound import queue_reconciliation
from tracker.sync.models import LinkState, TargetKind, TicketLink, TicketTarget
from tracker.sync.ports import Connection, RemoteTicket, TargetSpec
from tracker.wiring import ticket_system_factory
from tracker.worker.main import build_worker

SEED_STEP = timedelta(seconds=5)  # seeded tickets' `updated` times, oldest first
UNLIMITED = RateLimits(primary_per_hour=10**9, content_per_minute=10**9, content_per_hour=10**9,
                       points_per_minute=10**9)


def reconcile_github(links: int, changed: int) -> None:
    clock = gh.ManualClock(datetime.now(UTC) - SEED_STEP * links - timedelta(hours=1))
    emulator = gh.GitHubEmulator(users=("octocat",), limits=UNLIMITED, now=clock.now, clock=clock.time).start()
    repo = gh.DEFAULT_REPO
    try:
        started = time.perf_counter()
        for n in range(links):
            emulator.open_issue(repo, f"Linked ticket {n}", gh.BOT_LOGIN, labels=["tracker"],
                                body=body_with_marker(f"Seeded ticket {n}.", f"trk-bench-{n}"))
            clock.advance(SEED_STEP.total_seconds())
        seeded = time.perf_counter() - started
        connection = {"kind": "github", "url": emulator.api_url, "token": gh.BOT_TOKEN,
                      "bot_identity": gh.BOT_LOGIN, "seconds_between_requests": 0, "seconds_between_writes": 0}
        numbers = [i.number for i in emulator.issues(repo)]

        def change() -> None:
            clock.advance(3600)
            for number in numbers[:: max(1, len(numbers) // changed)][:changed]:
                emulator.edit_issue(repo, number, "octocat", title=f"Changed {number}")
                clock.advance(1)

        _run("GitHub", TargetKind.github, repo, connection, links, changed, emulator, change,
             counts=lambda: Counter(f"{m} {r}" for (m, r), n in emulator.calls.items() for _ in range(n)),
             extra=lambda: f"304s {emulator.not_modified}", seeded=seeded)
    finally:
        emulator.stop()


def reconcile_jira(links: int, changed: int) -> None:
    clock = JiraClock(datetime.now(UTC) - SEED_STEP * links - timedelta(hours=1))
    emulator = jira.JiraEmulator(clock=clock).start()
    bot, person = emulator.human(jira.BOT_EMAIL), emulator.human(jira.ALICE_EMAIL)
    try:
        started = time.perf_counter()
        keys = []
        for n in range(links):
            keys.append(bot.create("CX", f"Linked ticket {n}", labels=["tracker", f"trk-bench-{n}"]))
            clock.advance(seconds=SEED_STEP.total_seconds())
        seeded = time.perf_counter() - started
        connection = {"kind": "jira", "url": emulator.url, "user": jira.BOT_EMAIL, "token": jira.BOT_TOKEN,
                      "bot_identity": jira.BOT_ID}

        def change() -> None:
            clock.advance(hours=1)
            for key in keys[:: max(1, len(keys) // changed)][:changed]:
                person.set_summary(key, f"Changed {key}")
                clock.advance(seconds=1)

        _run("Jira", TargetKind.jira, "CX", connection, links, changed, emulator, change,
             counts=lambda: Counter(dict(emulator.calls)), extra=lambda: "JQL page size 100", seeded=seeded)
    finally:
        emulator.stop()


def _run(vendor: str, kind: TargetKind, project: str, connection: dict[str, Any], links: int, changed: int,
         emulator: Any, change: Callable[[], None], *, counts: Callable[[], Counter[str]],
         extra: Callable[[], str], seeded: float) -> None:
    # What the tickets hold now, read once with an adapter of its own (not counted below).
    adapter = ticket_system_factory(TargetSpec(kind=kind.value, project=project), Connection(**connection))
    tickets = adapter.changed_since(None).tickets
    assert len(tickets) == links, (len(tickets), links)
    print(f"\n{vendor} reconciliation: {links} linked tickets, {changed} changed "
          f"({100 * changed / links:g}%); seeded in {seeded:.1f} s")
    with fresh_database("sqlite") as (url, engine):
        factory = make_session_factory(engine)
        _link(factory, kind, project, tickets)
        settings = Settings(database_url=url, base_url="http://tracker.bench", connections={"bench": connection})
        worker = build_worker(settings, factory, worker_id="bench")

        def reconcile(label: str) -> None:
            with transaction(factory) as session:
                queue_reconciliation(session)
            before = counts()
            started = time.perf_counter()
            worker.run_until_idle()
            elapsed = time.perf_counter() - started
            used = counts() - before
            with factory() as session:
                states = Counter(session.scalars(select(OutboxMessage.state)))
                applied = session.scalar(select(func.count()).select_from(ActionItem)
                                         .where(ActionItem.title.like("Changed %"))) or 0
            assert states[OutboxState.pending] == 0 and states[OutboxState.dead] == 0, states
            detail = ", ".join(f"{route} x{n}" for route, n in sorted(used.items()))
            print(f"  {label:<54} {sum(used.values()):>5} API calls {elapsed:>7.2f} s   "
                  f"items showing the changes: {applied}/{changed}   [{detail}]")

        reconcile(f"first pass, nothing changed (watermark None, N={links})")
        change()
        reconcile(f"incremental from the watermark ({changed} changed)")
        reconcile(f"incremental again, nothing changed (N={links})")
        with transaction(factory) as session:
            session.execute(update(TicketTarget).values(watermark=None))
        reconcile(f"baseline: full scan (watermark None, N={links})")
    print(f"  ({extra()})")


def _link(factory: Any, kind: TargetKind, project: str, tickets: list[RemoteTicket]) -> None:
    """One target, one owner, one item and one linked TicketLink per ticket, bulk-inserted."""
    with transaction(factory) as session:
        target = TicketTarget(name=f"bench {kind.value}", kind=kind, connection="bench", project=project, mapping={})
        owner = Person(name="Bench Owner", email="owner@bench.example", role=Role.owner)
        session.add_all([target, owner])
        session.flush()
        team = Team(name="Bench", department="product", ticket_target_id=target.id)
        session.add(team)
        session.flush()
        deadline = date.today() + timedelta(days=30)
        first = 1 + (session.scalar(select(func.max(ActionItem.id))) or 0)
        session.execute(insert(ActionItem), [
            {"id": first + n, "title": t.title, "team_id": team.id, "owner_id": owner.id, "deadline": deadline,
             "priority": Priority.high, "phase": Phase.planned} for n, t in enumerate(tickets)])
        session.execute(insert(TicketLink), [
            {"action_item_id": first + n, "target_id": target.id, "state": LinkState.linked,
             "marker": f"trk-bench-{n}", "remote_key": t.key, "remote_url": t.url, "remote_status": t.status,
             "remote_updated_at": t.updated_at, "snapshot": t.synced(), "dirty_fields": []}
            for n, t in enumerate(tickets)])
