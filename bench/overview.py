"""Programme overview latency at scale: 10k and 100k action items, on SQLite and PostgreSQL.

Seeds a programme shaped like a busy one (1k owners, 10 teams, 300 moments with investigations,
items spread over the last 300 days with completion times, checklists, training, ticket links,
and their open spans: a third had their deadline moved once),
then measures p50/p99 of:
  - the overview service called in-process (no HTTP): what the home page pays
  - GET /programme/overview, /programme/root-causes, /programme/priority-matrix over HTTP
next to a baseline measured in the same run: GET /action-items?limit=50 (one indexed page).
Flat figures between the two sizes would mean the cost follows the groups, not the rows; a
rise shows what still scans.

    python bench/overview.py [--items 100000] [--requests 200] [--database both]
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, insert, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.api import TOKEN, seed_people  # noqa: E402
from bench.common import (  # noqa: E402
    Timing,
    fresh_database,
    measure,
    print_plans,
    print_table,
    run_scale_bench,
    serve,
)
from tracker.actions.models import (  # noqa: E402
    ActionItem,
    ChecklistEntry,
    ContactChannel,
    NotificationStatus,
    Phase,
    Priority,
    TrainingRecord,
)
from tracker.actions.spans import OpenSpan  # noqa: E402
from tracker.app import create_app  # noqa: E402
from tracker.config import Settings  # noqa: E402
from tracker.investigations.models import Investigation, InvestigationStatus, RootCauseCategory  # noqa: E402
from tracker.moments.models import MomentOfTruth  # noqa: E402
from tracker.overview.service import programme_overview  # noqa: E402
from tracker.overview.weeks import buckets, overdue_statements, weekly_figures  # noqa: E402
from tracker.sync.models import LinkState, TargetKind, TicketLink, TicketTarget  # noqa: E402

TODAY = date.today()
NOW = datetime.now(UTC)
MOMENTS = 300
# Phases weighted like a programme a year in: most work done, a long tail still open.
PHASE_WEIGHTS = {Phase.done: 40, Phase.planned: 15, Phase.implementing: 20, Phase.training: 6,
                 Phase.closing_loop: 8, Phase.blocked: 5, Phase.cancelled: 6}


def at_day(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, dtime(rng.randint(7, 18), rng.randint(0, 59)), tzinfo=UTC)


def seed_programme(engine: Engine, rng: random.Random) -> None:
    """Moments with investigations (root causes), and one ticket target."""
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(insert(MomentOfTruth), [
            {"id": m, "title": f"Moment {m}", "description": "", "reach": rng.randint(1, 5),
             "severity": rng.randint(1, 5), "emotional_weight": rng.randint(1, 5),
             "business_impact": rng.randint(1, 5), "effort": rng.randint(1, 5), "confidence": rng.randint(1, 5),
             "score": round(rng.uniform(1, 100), 1), "created_at": now, "version": 1}
            for m in range(1, MOMENTS + 1)])
        conn.execute(insert(Investigation), [
            {"moment_id": rng.randint(1, MOMENTS), "title": f"Investigation {i}", "hypotheses": [],
             "findings": "", "root_cause_category": rng.choice([*RootCauseCategory, None]),
             "root_cause_area": rng.choice(["Billing", "billing", "Invoice PDF", "Sales", "Docs", None]),
             "status": rng.choice(list(InvestigationStatus)), "created_at": now, "version": 1}
            for i in range(MOMENTS * 2)])
        conn.execute(insert(TicketTarget), [{"id": 1, "name": "Bench Jira", "kind": TargetKind.jira,
                                             "connection": "bench", "project": "BENCH", "issue_type": "Task",
                                             "mapping": {}, "created_at": now, "version": 1}])


def spans_of(item_id: int, row: dict[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    """The item's open spans, as the flush listener would have kept them (tracker/actions/spans.py):
    done ends at completion, cancelled at some point since creation; a third moved their deadline
    once (from an earlier date, somewhere in the item's open time)."""
    start: datetime = row["created_at"]
    end: datetime | None = row["completed_at"]
    if row["phase"] is Phase.cancelled:
        end = start + (NOW - start) * rng.random()
    spans = []
    if rng.random() < 1 / 3:
        moved = start + ((end or NOW) - start) * rng.random()
        spans.append({"action_item_id": item_id, "deadline": row["deadline"] - timedelta(days=rng.randint(7, 60)),
                      "started_at": start, "ended_at": moved})
        start = moved
    spans.append({"action_item_id": item_id, "deadline": row["deadline"], "started_at": start, "ended_at": end})
    return spans


def seed_items(engine: Engine, *, start: int, stop: int, owners: int, rng: random.Random) -> None:
    phases, weights = list(PHASE_WEIGHTS), list(PHASE_WEIGHTS.values())
    chunk = 5000
    for lo in range(start, stop, chunk):
        rows, extras = [], []
        for i in range(lo, min(stop, lo + chunk)):
            created = TODAY - timedelta(days=rng.randint(0, 300))
            phase = rng.choices(phases, weights)[0]
            completed = None
            if phase is Phase.done:
                completed = at_day(min(TODAY, created + timedelta(days=rng.randint(3, 90))), rng)
            rows.append({
                "title": f"Action {i}", "description": "", "moment_id": rng.randint(1, MOMENTS),
                "team_id": rng.randint(1, 10), "owner_id": rng.randint(2, owners + 1),
                "deadline": created + timedelta(days=rng.randint(7, 120)),
                "priority": rng.choice(list(Priority)), "phase": phase, "completed_at": completed,
                "assigned_at": at_day(created, rng), "created_at": at_day(created, rng),
                "updated_at": at_day(created, rng), "version": 1,
            })
            extras.append((phase, created))
        # Spans from their own generator, so the items are the same as without them.
        span_rng = random.Random(lo)
        with engine.begin() as conn:
            ids = conn.execute(insert(ActionItem).returning(ActionItem.id), rows).scalars().all()
            training, entries, links = [], [], []
            for item_id, (phase, created) in zip(ids, extras, strict=True):
                needed = rng.random() < 0.3
                target = rng.randint(5, 40) if needed else 0
                training.append({"action_item_id": item_id, "needed": needed, "audience": "",
                                 "sessions_held": rng.randint(0, 3) if needed else 0,
                                 "people_trained": rng.randint(0, target), "target_count": target,
                                 "notes": "", "updated_at": at_day(created, rng), "version": 1})
                for n in range(rng.choice((0, 0, 1, 2, 3))):
                    status = (rng.choice(list(NotificationStatus)) if phase in (Phase.done, Phase.closing_loop)
                              else NotificationStatus.pending)
                    told = status is not NotificationStatus.pending
                    entries.append({
                        "action_item_id": item_id, "customer_name": f"Customer {item_id}-{n}",
                        "contact": f"c{item_id}-{n}@bench.example", "channel": ContactChannel.email,
                        "message": "", "status": status, "note": "", "version": 1,
                        "notified_at": at_day(min(TODAY, created + timedelta(days=rng.randint(5, 120))), rng)
                        if told else None})
                if rng.random() < 0.5:
                    # A linked ticket has its key and status, as the sync leaves one.
                    links.append({"action_item_id": item_id, "target_id": 1,
                                  "state": LinkState.broken if rng.random() < 0.02 else LinkState.linked,
                                  "remote_key": f"BEN-{item_id}", "remote_status": "In Progress",
                                  "marker": f"bench-{item_id}", "snapshot": {}, "dirty_fields": [],
                                  "created_at": at_day(created, rng)})
            conn.execute(insert(OpenSpan), [span for item_id, row in zip(ids, rows, strict=True)
                                            for span in spans_of(item_id, row, span_rng)])
            conn.execute(insert(TrainingRecord), training)
            if entries:
                conn.execute(insert(ChecklistEntry), entries)
            if links:
                conn.execute(insert(TicketLink), links)
    # A settled table, as autovacuum leaves one: statistics, and on PostgreSQL a visibility map
    # so counts can be answered from an index alone.
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))  # VACUUM refuses to run inside a transaction
    else:
        with engine.begin() as conn:  # committed: tracker.db opens SQLite transactions itself
            conn.execute(text("ANALYZE"))


def service_timing(engine: Engine, requests: int) -> Timing:
    """The overview service in-process, one fresh session per call (as a request has)."""
    def call(_: int) -> None:
        with Session(engine) as session:
            programme_overview(session, today=TODAY)

    return measure("overview service (in-process)", requests, call)


def weeks_timing(engine: Engine, requests: int) -> Timing:
    """Its twelve weeks alone (done, overdue at each end, told), the part that reads history."""
    def call(_: int) -> None:
        with Session(engine) as session:
            weekly_figures(session, today=TODAY)

    return measure("12 weeks (in-process)", requests, call)


def run(base: str, engine: Engine, requests: int) -> tuple[list[Timing], Timing]:
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60) as http:

        def ok(path: str, **params: object) -> None:
            response = http.get(path, params=params)
            if response.status_code >= 400:
                raise SystemExit(f"{path} -> {response.status_code}: {response.text[:300]}")

        baseline = measure("baseline: GET /action-items?limit=50", requests,
                           lambda _: ok("/action-items", limit=50))
        timings = [
            service_timing(engine, requests),
            weeks_timing(engine, requests),
            measure("GET /programme/overview", requests, lambda _: ok("/programme/overview")),
            measure("GET /programme/root-causes", requests, lambda _: ok("/programme/root-causes")),
            measure("GET /programme/priority-matrix", requests, lambda _: ok("/programme/priority-matrix")),
        ]
    return timings, baseline


def explain(engine: Engine) -> None:
    """The plans of the overview's heaviest statements, as the database chooses them."""
    first = (TODAY - timedelta(weeks=12)).isoformat()
    queries = {
        "done per week": f"SELECT count(*) FROM action_items WHERE phase = 'done' AND completed_at >= '{first}' "
                         f"AND completed_at < '{(TODAY + timedelta(days=7)).isoformat()}'",
        "items by phase": "SELECT phase, count(*) FROM action_items GROUP BY phase",
        "overdue now by team": "SELECT team_id, count(*) FROM action_items WHERE phase IN ('planned', "
                               "'implementing', 'training', 'closing_loop', 'blocked') AND deadline < "
                               f"'{TODAY.isoformat()}' GROUP BY team_id",
        "told per week": f"SELECT count(*) FROM checklist_entries WHERE notified_at >= '{first}' "
                         "AND status IN ('notified', 'acknowledged')",
    }
    weeks = buckets(TODAY, 12)
    for name, stmt in zip(("overdue at week ends: current spans", "overdue at week ends: ended spans"),
                          overdue_statements(weeks), strict=True):
        queries[name] = str(stmt.compile(engine, compile_kwargs={"literal_binds": True}))
    print_plans(engine, queries, width=240)


def bench(backend: str, *, items: int, owners: int, requests: int) -> None:
    rng = random.Random(11)
    with fresh_database(backend) as (url, engine):
        seed_people(engine, owners)
        seed_programme(engine, rng)
        app = create_app(Settings(database_url=url))
        with serve(app) as base:
            seeded = 0
            for size in sorted({min(items, 10_000), items}):
                started = time.perf_counter()
                seed_items(engine, start=seeded, stop=size, owners=owners, rng=rng)
                seeded = size
                print(f"\n== {backend}: {size:,} action items, {owners:,} owners "
                      f"(seeded in {time.perf_counter() - started:.0f} s) ==")
                timings, baseline = run(base, engine, requests)
                print_table(f"{backend} @ {size:,} items (sequential requests over loopback HTTP)",
                            timings, baseline)
            explain(engine)


def main() -> None:
    run_scale_bench(__doc__ or "", bench, requests=200)


if __name__ == "__main__":
    main()
