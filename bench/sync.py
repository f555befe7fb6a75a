"""Ticket sync against the emulators: creates paced to GitHub's secondary limit, and what
reconciliation costs when 1% of 10k linked tickets changed.

1. Pacing: N action items promoted to GitHub, whose emulator enforces 80 content-creating
   requests per minute (a minute shrunk by --time-scale). One worker delivers them, paced on our
   side by the connection's `seconds_between_writes` = 60 / 80 / time_scale (+2%), through the
   production adapter factory (tracker/wiring.py). Prints API calls per item by kind, elapsed
   time against the limit's ceiling, and limit violations.
2. Reconciliation: --links tickets seeded straight into each emulator (its Python API, not the
   rate-limited REST API) and linked in the database; --changed-percent of them edited by a
   person in the vendor's UI; then one reconciliation from the stored watermark, next to a full
   scan (watermark None) as the baseline. For GitHub and for Jira (JQL pages of 100).

    python bench/sync.py [--items 400] [--time-scale 20] [--links 10000] [--changed-percent 1]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import fresh_database  # noqa: E402
from bench.sync_reconcile import reconcile_github, reconcile_jira  # noqa: E402
from integrations.github import emulator as gh  # noqa: E402
from integrations.github.emulator_ratelimit import RateLimits  # noqa: E402
from tests.sync.fleet import GITHUB_CONNECTION, OWNER_GITHUB_LOGIN, count_links, seed_and_promote  # noqa: E402
from tracker.config import Settings  # noqa: E402
from tracker.db import make_session_factory  # noqa: E402
from tracker.sync.models import LinkState  # noqa: E402
from tracker.worker.main import build_worker  # noqa: E402

CREATES_PER_MINUTE = 80  # GitHub's secondary limit on content-creating requests
PACING_MARGIN = 1.02


def _kind(method: str, route: str) -> str:
    if "milestones" in route:
        return "milestone look-ups"
    if method == "POST" and route.endswith("/issues"):
        return "creates"
    return "other"


def bench_pacing(items: int, time_scale: float, due_dates: int) -> None:
    minute = 60.0 / time_scale
    # A 2% margin under the limit: pacing exactly at it lets clock jitter put an 81st write
    # into some sliding minute (a violation, then a retry).
    gap = minute / CREATES_PER_MINUTE * PACING_MARGIN
    emulator = gh.GitHubEmulator(users=("octocat", OWNER_GITHUB_LOGIN),
                                 limits=RateLimits(content_per_minute=CREATES_PER_MINUTE, time_scale=time_scale))
    emulator.start()
    try:
        with fresh_database("sqlite") as (url, engine):
            factory = make_session_factory(engine)
            seed_and_promote(factory, per_target=items, kinds=("github",), due_dates=due_dates)
            settings = Settings(database_url=url, base_url="http://tracker.bench", connections={
                GITHUB_CONNECTION: {"kind": "github", "url": emulator.api_url, "token": gh.BOT_TOKEN,
                                    "bot_identity": gh.BOT_LOGIN, "seconds_between_writes": gap,
                                    "seconds_between_requests": 0}})
            worker = build_worker(settings, factory, worker_id="bench")  # the production factory
            emulator.reset_counters()
            started = time.perf_counter()
            worker.run_until_idle()
            elapsed = time.perf_counter() - started
            linked = count_links(factory, LinkState.linked)
    finally:
        emulator.stop()
    by_kind: Counter[str] = Counter()
    for (method, route), n in emulator.calls.items():
        by_kind[_kind(method, route)] += n
    writes = sum(n for (method, _), n in emulator.calls.items() if method != "GET")
    ceiling = writes * minute / CREATES_PER_MINUTE
    print(f"\nGitHub creates paced to {CREATES_PER_MINUTE}/min (time scale {time_scale:g}: a minute is "
          f"{minute:.2f} s; seconds_between_writes {gap * 1000:.2f} ms)")
    print(f"  items promoted {items}, linked {linked}, deadlines on {due_dates} dates")
    print(f"  API calls {sum(by_kind.values())}: " + ", ".join(
        f"{kind} {n} ({n / items:.3f}/item)" for kind, n in sorted(by_kind.items())))
    for (method, route), n in sorted(emulator.calls.items()):
        print(f"    {method:<5} {route:<40} {n:>6}")
    print(f"  elapsed {elapsed:.2f} s for {writes} writes; ceiling {ceiling:.2f} s "
          f"({writes} / {CREATES_PER_MINUTE} per scaled minute); ratio {elapsed / ceiling:.3f} "
          f"(goal <= 1.10)")
    print(f"  limit violations {emulator.violation_count} {dict(emulator.violations)} (goal 0)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=400, help="items to promote (< 500: GitHub's hourly cap)")
    parser.add_argument("--time-scale", type=float, default=20.0, help="GitHub minutes shrunk by this factor")
    parser.add_argument("--due-dates", type=int, default=4, help="distinct deadlines (one milestone each)")
    parser.add_argument("--links", type=int, default=10_000, help="linked tickets for reconciliation")
    parser.add_argument("--changed-percent", type=float, default=1.0)
    parser.add_argument("--skip", choices=["pacing", "reconcile"], action="append", default=[])
    args = parser.parse_args()
    if "pacing" not in args.skip:
        bench_pacing(args.items, args.time_scale, args.due_dates)
    if "reconcile" not in args.skip:
        changed = max(1, round(args.links * args.changed_percent / 100))
        reconcile_github(args.links, changed)
        reconcile_jira(args.links, changed)


if __name__ == "__main__":
    main()
