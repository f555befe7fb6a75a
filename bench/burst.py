"""Under a burst: the tracker's real processes against the Jira, GitHub and Slack emulators.

On SQLite, one process as `make run` has it (uvicorn and the outbox worker in a thread); on
PostgreSQL, 2 API processes (uvicorn) and 2 `tracker worker` processes, all configured by
TRACKER_* environment only. Items are linked to Jira and GitHub tickets, so every write makes
outbox sync work for the workers (real jira / PyGithub / slack-sdk clients). Three bursts:

1. --clients API clients for --seconds: half reads (GET one item, list a page), half writes
   (a fresh GET, then PATCH the title or move the phase, with its If-Match).
2. --webhooks signed deliveries in --webhook-seconds, half Jira (X-Hub-Signature) and half
   GitHub (X-Hub-Signature-256), unique delivery ids, for linked tickets (some retitled in the
   vendor's UI first); ack latency against GitHub's 10 s deadline.
3. --clicks signed Slack block_actions ("advance" on a posted nudge), all at once; ack latency
   against Slack's 3 s deadline.

For each: requests, p50/p99, 5xx and errors not in our JSON shape, the seconds until every
change is applied (no pending outbox message; every linked ticket's title and status equal to
its item's, read from the emulators), and the floor: GET /healthz polled by one extra client
during the same burst (its p99 at rest is measured first). The load generator and the
emulators share this process, so the floor also shows what the machine itself adds.

    python bench/burst.py [--seconds 60] [--database both] [--items 100] ...
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402

from bench import burst_load as load  # noqa: E402
from bench.burst_world import Emulators, Fleet, Seeded, env_summary, seed, tracker_env, wait_applied  # noqa: E402
from bench.common import fresh_database, postgres_url  # noqa: E402
from tracker.actions.models import ActionItem, Phase  # noqa: E402
from tracker.db import make_session_factory, read_only_factory  # noqa: E402
from tracker.sync.models import TargetKind, TicketLink, TicketTarget  # noqa: E402

GITHUB_DEADLINE_MS, SLACK_DEADLINE_MS = 10_000, 3_000


class Row:
    def __init__(self, name: str, stats: load.Stats, floor: load.Stats, applied: float, converged: bool,
                 deadline_ms: float | None = None) -> None:
        self.name, self.stats, self.floor, self.applied = name, stats, floor, applied
        self.converged, self.deadline_ms = converged, deadline_ms

    def line(self) -> str:
        s = self.stats
        other = sum(n for status, n in s.statuses.items() if 400 <= status < 500)
        deadline = (f"{'under' if s.pct(0.99) < self.deadline_ms else 'OVER'} {self.deadline_ms / 1000:.0f} s"
                    if self.deadline_ms else "-")
        applied = f"{self.applied:.1f}" if self.converged else f">{self.applied:.0f} NOT"
        return (f"  {self.name:<28} {s.count:>6} {s.pct(0.5):>8.1f} {s.pct(0.99):>8.1f} {s.server_errors:>4} "
                f"{s.no_answer:>6} {s.non_json_errors:>6} {other:>5} {deadline:>11} {applied:>9} "
                f"{self.floor.pct(0.99):>9.1f}")


def header() -> str:
    return (f"  {'burst':<28} {'reqs':>6} {'p50 ms':>8} {'p99 ms':>8} {'5xx':>4} {'no ans':>6} "
            f"{'nonJSON':>6} {'4xx':>5} "
            f"{'ack p99':>11} {'applied s':>9} {'floor p99':>9}")


def linked_keys(factory, items: list[int]) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    keys: dict[str, list[str]] = {"jira": [], "github": []}
    with factory() as session:
        for kind, key in session.execute(
                select(TicketTarget.kind, TicketLink.remote_key)
                .join(TicketTarget, TicketTarget.id == TicketLink.target_id)
                .where(TicketLink.action_item_id.in_(items), TicketLink.remote_key.is_not(None))
                .order_by(TicketLink.id)):
            keys["jira" if kind is TargetKind.jira else "github"].append(key)
    return keys


def bench(backend: str, args: argparse.Namespace) -> None:
    emulators = Emulators.start()
    logs = Path(tempfile.mkdtemp(prefix=f"burst-{backend}-"))
    with fresh_database(backend) as (url, engine):
        factory = make_session_factory(engine)
        reader = read_only_factory(factory)  # like a GET: never holds SQLite's write lock
        seeded: Seeded = seed(factory, emulators, per_target=args.items, clicks=args.clicks)
        env = tracker_env(url, emulators)
        fleet = Fleet.sqlite(env, logs) if backend == "sqlite" else Fleet.postgresql(env, logs)
        rows: list[Row] = []
        try:
            shape = ("1 process: uvicorn + worker thread" if backend == "sqlite"
                     else "2 API processes (uvicorn) + 2 `tracker worker` processes")
            print(f"\n== {backend}: {shape}; {env_summary()} ==")
            took, state = wait_applied(reader, emulators, timeout=args.timeout)
            print(f"  setup: {len(seeded.load_items) + len(seeded.click_items)} items linked to Jira/GitHub "
                  f"tickets, {len(seeded.click_items)} nudges posted to Slack, in {took:.1f} s "
                  f"(pending {state.pending}, mismatched {len(state.mismatched)})")
            with load.floor(fleet.apis[0]) as idle:
                time.sleep(3)
            print(f"  floor at rest: GET /healthz p50 {idle.pct(0.5):.1f} ms, p99 {idle.pct(0.99):.1f} ms "
                  f"({idle.count} requests)")

            with load.floor(fleet.apis[0]) as fl:
                stats = load.clients(fleet.apis, seeded.load_items, count=args.clients, seconds=args.seconds)
            took, state = wait_applied(reader, emulators, timeout=args.timeout)
            rows.append(Row(f"{args.clients} clients: reads", stats["read"], fl, took, state.done))
            rows.append(Row(f"{args.clients} clients: writes", stats["write"], fl, took, state.done))
            report_state("clients", state)

            keys = linked_keys(reader, seeded.load_items)
            load.human_edits(emulators, keys, per_vendor=args.retitled)
            with load.floor(fleet.apis[0]) as fl:
                hooks, lag = load.webhooks(fleet.apis, keys, count=args.webhooks, seconds=args.webhook_seconds)
            took, state = wait_applied(reader, emulators, timeout=args.timeout)
            rows.append(Row(f"{args.webhooks} webhooks/{args.webhook_seconds:g} s", hooks, fl, took, state.done,
                            GITHUB_DEADLINE_MS))
            report_state("webhooks", state)
            print(f"  webhooks: worst send lag behind schedule {lag * 1000:.0f} ms; statuses {dict(hooks.statuses)}")

            bodies = load.click_bodies(emulators.slack, seeded.owner_slack_id)
            with load.floor(fleet.apis[0]) as fl:
                clicked = load.clicks(fleet.apis, bodies)
            took, state = wait_applied(reader, emulators, timeout=args.timeout)
            rows.append(Row(f"{len(bodies)} Slack clicks at once", clicked, fl, took, state.done, SLACK_DEADLINE_MS))
            report_state("clicks", state)
            with reader() as session:
                moved = session.scalar(select(func.count()).select_from(ActionItem).where(
                    ActionItem.id.in_(seeded.click_items), ActionItem.phase == Phase.implementing))
            edited = sum(1 for m in emulators.slack.messages_for_user(seeded.owner_slack_id) if m.edits)
            print(f"  clicks: {moved}/{len(bodies)} items moved to implementing, {edited} Slack messages "
                  f"refreshed (chat.update)")
        finally:
            fleet.stop()
            emulators.stop()
        print(f"\n{backend}: under a burst ({args.items * 2} items in the client/webhook pool, "
              f"{args.seconds:g} s of clients)")
        print(header())
        for row in rows:
            print(row.line())
        logged = fleet.errors_logged()
        print(f"  errors/warnings in the tracker's logs: {len(logged)}" + (f", e.g. {logged[:3]}" if logged else "")
              + f" ({logs})")
        for row in rows:
            for failure in row.stats.failures[:3]:
                print(f"  {row.name}: {failure}")


def report_state(what: str, state) -> None:  # type: ignore[no-untyped-def]
    if not state.done or state.dead:
        print(f"  after {what}: pending {state.pending}, dead {state.dead}, "
              f"mismatched {len(state.mismatched)} {state.mismatched[:5]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=60.0, help="duration of the client burst")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--items", type=int, default=100, help="linked items per vendor for clients and webhooks")
    parser.add_argument("--webhooks", type=int, default=1000)
    parser.add_argument("--webhook-seconds", type=float, default=10.0)
    parser.add_argument("--retitled", type=int, default=20, help="tickets per vendor retitled before the webhooks")
    parser.add_argument("--clicks", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=300.0, help="longest wait for everything to apply")
    args = parser.parse_args()
    for backend in (["sqlite", "postgresql"] if args.database == "both" else [args.database]):
        if backend == "postgresql" and not postgres_url():
            print("PostgreSQL not reachable: skipped")
            continue
        bench(backend, args)


if __name__ == "__main__":
    main()
