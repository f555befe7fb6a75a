"""Counted metrics: vendor calls for a refresh of 1,000 metrics, and verdicts for 1,000 moments.

1. Count refresh: N counted metrics (Jira and GitHub) whose last week just closed; the sweep
   queues them and the real worker counts them through the real clients against the emulators.
   Printed: calls per metric per period, and what that is against the vendor's ceiling
   (GitHub's search: 30 requests a minute). Beside it, the baseline measured on the same data:
   counting by listing the matching issues (Jira /search/jql, GitHub /search/issues, 100 a
   page), which costs ceil(matches / 100) calls per metric and period.
2. Verdicts: 1,000 moments x 104 weekly periods through tracker.metrics.verdicts (windows and
   the Mann-Whitney U test), beside a baseline of the same windows compared by medians alone.

    .venv/bin/python -m bench.metrics_count [--metrics 1000] [--matches 250]
"""

from __future__ import annotations

import argparse
import math
import random
import time
from datetime import UTC, date, datetime, timedelta
from statistics import median

from bench.common import fresh_database
from integrations.github import emulator as gh
from integrations.github.emulator_ratelimit import RateLimits
from integrations.jira import emulator as jira
from tracker.config import ConnectionSettings, Settings
from tracker.db import make_session_factory, transaction
from tracker.journeys.models import JourneyMap, MapKind
from tracker.metrics.counting import queue_due_counts
from tracker.metrics.models import Direction, Period, SourceKind, SuccessMetric
from tracker.metrics.verdicts import compare, windows
from tracker.worker.main import build_worker

SEARCH_PER_MINUTE = 30
MINUTES_PER_WEEK = 7 * 24 * 60
PAGE = 100


def _seed(kind: str, emulator: object, week: date, matches: int) -> None:
    when = datetime.combine(week, datetime.min.time(), UTC) + timedelta(hours=10)
    for n in range(matches):
        if kind == "jira":
            client = emulator.client()  # type: ignore[attr-defined,arg-type]
            key = client.create_issue(fields={"project": {"key": "CX"}, "issuetype": {"name": "Task"},
                                              "summary": f"q{n}", "labels": ["invoice-vat"]}, prefetch=False).key
            record = emulator.issue(key)  # type: ignore[attr-defined,arg-type]
            record.created = record.updated = when
        else:
            number = emulator.open_issue(gh.DEFAULT_REPO, f"q{n}", "customer",  # type: ignore[attr-defined,arg-type]
                                         labels=["invoice-vat"])
            issue = emulator.issue(gh.DEFAULT_REPO, number)  # type: ignore[attr-defined,arg-type]
            issue.created_at = issue.updated_at = when


def bench_counts(kind: str, metrics: int, matches: int) -> None:
    # Ahead of the real time the outbox stamps messages with, and past the week's settling time.
    now = datetime.now(UTC) + timedelta(hours=2)
    week = now.date() - timedelta(days=now.date().weekday()) - timedelta(weeks=1)  # last closed week
    if kind == "jira":
        emu: object = jira.JiraEmulator(clock=jira.ManualClock(now + timedelta(days=1))).start()
        conn = ConnectionSettings(kind="jira", url=emu.url, user=jira.BOT_EMAIL,  # type: ignore[attr-defined]
                                  token=jira.BOT_TOKEN, max_retry_delay=0.05)  # type: ignore[arg-type]
        query = "project = CX AND labels = invoice-vat"
    else:
        # Limits raised so the bench measures calls, not waiting; the ceiling is computed below.
        emu = gh.GitHubEmulator(users=["customer"], limits=RateLimits(primary_per_hour=10**9,
                                points_per_minute=10**9)).start()
        emu.search.limiter.per_minute = 10**9  # type: ignore[attr-defined,arg-type]
        conn = ConnectionSettings(kind="github", url=emu.api_url, token=gh.BOT_TOKEN,  # type: ignore[attr-defined,arg-type]
                                  seconds_between_requests=0, max_retry_delay=0.05)
        query = f"repo:{gh.DEFAULT_REPO} label:invoice-vat is:issue"
    try:
        _seed(kind, emu, week, matches)
        with fresh_database("sqlite") as (url, engine):
            settings = Settings(database_url=url, connections={"vendor": conn})
            factory = make_session_factory(engine)
            with transaction(factory) as session:
                jmap = JourneyMap(name="Bench", kind=MapKind.customer, persona="p", scope_start="a",
                                  scope_end="b", objectives=[])
                session.add(jmap)
                session.flush()
                session.add_all([SuccessMetric(
                    journey_map_id=jmap.id, name=f"m{i}", direction=Direction.lower_is_better,
                    period=Period.weekly, source_kind=SourceKind(f"{kind}_count"), query=query,
                    connection="vendor", counted_through=week - timedelta(days=1)) for i in range(metrics)])
            worker = build_worker(settings, factory, worker_id="bench")
            worker.ctx.clock = lambda: now
            with transaction(factory) as session:
                queued = queue_due_counts(session, now)
            _reset(emu)
            started = time.perf_counter()
            worker.run_until_idle()
            elapsed = time.perf_counter() - started
            ours = _count_calls(kind, emu)
            _reset(emu)
            started = time.perf_counter()
            sample = min(metrics, 50)
            for _ in range(sample):
                _list_and_count(kind, emu, query, week)
            baseline_elapsed = (time.perf_counter() - started) / sample * metrics
            baseline = _list_calls(kind, emu) / sample
    finally:
        emu.stop()  # type: ignore[attr-defined,arg-type]
    per_metric = ours / max(1, queued)
    print(f"{kind}: refresh of {queued} metrics, {matches} matching issues each for the week")
    print(f"  ours      {per_metric:.2f} calls per metric per period ({ours} calls, {elapsed:.1f} s here)")
    print(f"  baseline  {baseline:.2f} calls per metric per period (listing {PAGE} a page; "
          f"~{baseline_elapsed:.1f} s here for {metrics})")
    if kind == "github":
        for name, calls in (("ours", per_metric * metrics), ("baseline", baseline * metrics)):
            minutes = calls / SEARCH_PER_MINUTE
            print(f"  {name:9} {minutes:.0f} minutes of search quota per weekly refresh; ratio to the "
                  f"ceiling ({SEARCH_PER_MINUTE}/min x {MINUTES_PER_WEEK} min) {minutes / MINUTES_PER_WEEK:.4f}; "
                  f"12-week backfill {12 * minutes:.0f} minutes")
    else:
        print("  Jira Cloud publishes cost-based limits, not a per-minute count: the figure to watch is "
              "calls per metric per period")


def _reset(emu: object) -> None:
    (emu.reset_calls if isinstance(emu, jira.JiraEmulator) else emu.reset_counters)()  # type: ignore[attr-defined,arg-type]


def _count_calls(kind: str, emu: object) -> int:
    if kind == "jira":
        return int(emu.call_count("POST", "/search/approximate-count"))  # type: ignore[attr-defined,arg-type]
    return int(emu.call_count("GET", "/search/issues"))  # type: ignore[attr-defined,arg-type]


def _list_calls(kind: str, emu: object) -> int:
    if kind == "jira":
        return int(emu.call_count(template="/search/jql"))  # type: ignore[attr-defined,arg-type]
    return int(emu.call_count("GET", "/search/issues"))  # type: ignore[attr-defined,arg-type]


def _list_and_count(kind: str, emu: object, query: str, week: date) -> int:
    """The baseline: fetch every matching issue of the week and count them here."""
    end = week + timedelta(days=7)
    if kind == "jira":
        client = emu.client()  # type: ignore[attr-defined,arg-type]
        jql = f'({query}) AND created >= "{week}" AND created < "{end}"'
        return len(client.enhanced_search_issues(jql, maxResults=0, fields=["id"]))
    client = emu.client(per_page=PAGE)  # type: ignore[attr-defined,arg-type]
    return sum(1 for _ in client.search_issues(f"{query} created:{week}..{end - timedelta(days=1)}"))


def bench_verdicts(moments: int, periods: int) -> None:
    rng = random.Random(7)
    first = date(2024, 1, 1)
    today = first + timedelta(weeks=periods)
    series = []
    for _ in range(moments):
        shipped = first + timedelta(weeks=rng.randint(20, periods - 20))
        drop = rng.choice([0.0, 0.3, -0.2])
        days = [first + timedelta(weeks=w) for w in range(periods)]
        values = {d: max(0.0, rng.gauss(40, 6) * (1 - drop * (d > shipped))) for d in days}
        series.append((shipped, values))
    for window in (8, 26):
        for name, judge in (("Mann-Whitney U (ours)", _ours), ("medians only (baseline)", _medians)):
            started = time.perf_counter()
            for shipped, values in series:
                span = windows(Period.weekly, first_shipped=shipped, last_shipped=shipped, window=window, today=today)
                judge([values[d] for d in span.before if d in values], [values[d] for d in span.after if d in values])
            elapsed = time.perf_counter() - started
            print(f"verdicts, window {window:2}: {name:24} {elapsed * 1000:8.1f} ms for {moments} moments "
                  f"x {periods} periods ({elapsed / moments * 1e6:.0f} us per moment)")


def _ours(before: list[float], after: list[float]) -> object:
    return compare(before, after, Direction.lower_is_better)


def _medians(before: list[float], after: list[float]) -> object:
    return median(after) - median(before) if before and after else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--metrics", type=int, default=1000)
    parser.add_argument("--matches", type=int, default=250, help="matching issues per metric and week")
    parser.add_argument("--moments", type=int, default=1000)
    parser.add_argument("--periods", type=int, default=104)
    parser.add_argument("--skip", choices=["jira", "github", "verdicts"], action="append", default=[])
    args = parser.parse_args()
    for kind in ("jira", "github"):
        if kind not in args.skip:
            bench_counts(kind, args.metrics, args.matches)
    if "verdicts" not in args.skip:
        bench_verdicts(args.moments, args.periods)
    print(f"(ceil({args.matches} / {PAGE}) = {math.ceil(args.matches / PAGE)} listing calls per metric "
          "and period; a count is one whatever the number)")


if __name__ == "__main__":
    main()

