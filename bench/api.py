"""API latency at scale: 100k action items across 1k owners, on SQLite and PostgreSQL.

For each database it seeds the table in two steps (10k, then the full size) and measures, over
real HTTP on loopback, p50/p99 latency and requests/s of:
  - list by owner and phase (page of 50), first page and a page deep behind a cursor
  - the overdue list (page of 50)
  - get one action item
  - change phase (a versioned write)
next to a floor measured in the same run: a bare route returning a same-sized JSON from memory.
Flat figures between the two sizes show that the queries use indexes.

    python bench/api.py [--items 100000] [--owners 1000] [--requests 400] [--database both]
"""

from __future__ import annotations

import json
import random
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from fastapi.responses import Response
from sqlalchemy import Engine, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    Timing,
    fresh_database,
    measure,
    print_plans,
    print_table,
    run_scale_bench,
    serve,
)
from tracker.actions.models import ActionItem, Phase, Priority, TrainingRecord  # noqa: E402
from tracker.app import create_app  # noqa: E402
from tracker.auth.models import ApiToken  # noqa: E402
from tracker.auth.service import hash_token  # noqa: E402
from tracker.config import Settings  # noqa: E402
from tracker.people.models import Person, Role, Team  # noqa: E402

TOKEN = "trk_bench_token_not_secret"
PHASES = list(Phase)
TODAY = date.today()


def seed_people(engine: Engine, owners: int) -> None:
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(insert(Person), [
            {"id": 1, "name": "Bench Lead", "email": "lead@bench.example", "role": Role.lead,
             "timezone": "UTC", "active": True, "created_at": now, "version": 1}
        ] + [
            {"id": i + 2, "name": f"Owner {i}", "email": f"owner{i}@bench.example", "role": Role.owner,
             "timezone": "UTC", "active": True, "created_at": now, "version": 1}
            for i in range(owners)
        ])
        conn.execute(insert(Team), [
            {"id": t + 1, "name": f"Team {t}", "department": "product", "timezone": "UTC",
             "created_at": now, "version": 1} for t in range(10)
        ])
        conn.execute(insert(ApiToken), [{"person_id": 1, "name": "bench", "prefix": TOKEN[:10],
                                          "token_hash": hash_token(TOKEN), "created_at": now}])
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            for table in ("people", "teams"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT max(id) FROM {table}))"))


def seed_items(engine: Engine, *, start: int, stop: int, owners: int, rng: random.Random) -> None:
    now = datetime.now(UTC)
    chunk = 5000
    for lo in range(start, stop, chunk):
        rows = []
        for i in range(lo, min(stop, lo + chunk)):
            rows.append({
                "title": f"Action {i}", "description": "Fix the invoice PDF layout for EU customers",
                "team_id": rng.randint(1, 10), "owner_id": rng.randint(2, owners + 1),
                "deadline": TODAY + timedelta(days=rng.randint(-120, 240)),
                "priority": rng.choice(list(Priority)), "phase": rng.choice(PHASES),
                "assigned_at": now, "created_at": now, "updated_at": now, "version": 1,
            })
        with engine.begin() as conn:
            ids = conn.execute(insert(ActionItem).returning(ActionItem.id), rows).scalars().all()
            conn.execute(insert(TrainingRecord), [
                {"action_item_id": i, "needed": False, "audience": "", "sessions_held": 0,
                 "people_trained": 0, "target_count": 0, "notes": "", "updated_at": now, "version": 1}
                for i in ids
            ])
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))


def run_scenarios(base: str, engine: Engine, *, owners: int, requests: int, rng: random.Random,
                  floor_body: bytes) -> tuple[list[Timing], Timing]:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with engine.connect() as conn:
        max_id = conn.scalar(select(ActionItem.id).order_by(ActionItem.id.desc()).limit(1))
        planned = list(conn.scalars(
            select(ActionItem.id).where(ActionItem.phase == Phase.planned).limit(requests + 40)
        ))
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:

        def ok(response: httpx.Response) -> httpx.Response:
            if response.status_code >= 400:
                raise SystemExit(f"{response.request.url} -> {response.status_code}: {response.text[:300]}")
            return response

        def by_owner(_: int) -> None:
            ok(http.get("/action-items", params={"owner_id": rng.randint(2, owners + 1),
                                                  "phase": rng.choice(PHASES[:5]), "limit": 50}))

        # A deep page: walk a busy owner's list once, then re-request behind its last cursor.
        deep_cursor = None
        busy = {"phase": "planned", "limit": 50}
        page = ok(http.get("/action-items", params=busy)).json()
        for _ in range(20):
            if not page.get("next_cursor"):
                break
            deep_cursor = page["next_cursor"]
            page = ok(http.get("/action-items", params={**busy, "cursor": deep_cursor})).json()

        def deep(_: int) -> None:
            ok(http.get("/action-items", params={**busy, "cursor": deep_cursor}))

        def overdue(_: int) -> None:
            ok(http.get("/action-items", params={"overdue": "true", "limit": 50}))

        def get_one(_: int) -> None:
            ok(http.get(f"/action-items/{rng.randint(1, max_id)}"))

        def change_phase(i: int) -> None:
            item = planned[i]
            ok(http.post(f"/action-items/{item}/phase", json={"to": "implementing"},
                         headers={"If-Match": '"1"'}))

        floor = measure("floor: same-size JSON from memory", requests, lambda _: ok(http.get("/bench/floor")))
        timings = [
            measure("list by owner+phase (50)", requests, by_owner),
            measure("list page 20 behind cursor (50)", requests, deep),
            measure("overdue list (50)", requests, overdue),
            measure("get one", requests, get_one),
            measure("change phase (write)", min(requests, len(planned) - 20), change_phase),
        ]
    print(f"  (floor body {len(floor_body)} bytes = one page of 50 items)")
    return timings, floor


def explain(engine: Engine) -> None:
    """Show the plans of the list queries: they must be index scans, not table scans."""
    queries = {
        "owner+phase": "SELECT id FROM action_items WHERE owner_id = 5 AND phase = 'planned' "
                       "ORDER BY deadline, id LIMIT 51",
        "overdue": "SELECT id FROM action_items WHERE deadline < CURRENT_DATE AND phase IN "
                   "('planned','implementing','training','closing_loop','blocked') ORDER BY deadline, id LIMIT 51",
    }
    print_plans(engine, queries, width=220)


def bench(backend: str, *, items: int, owners: int, requests: int) -> None:
    rng = random.Random(7)
    with fresh_database(backend) as (url, engine):
        seed_people(engine, owners)
        app = create_app(Settings(database_url=url))
        with serve(app) as base:
            # Floor: a page-sized JSON body served straight from memory by the same server.
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}) as http:
                seed_items(engine, start=0, stop=min(items, 1000), owners=owners, rng=rng)
                sample = http.get("/action-items", params={"limit": 50}).content
            floor_body = sample if len(sample) > 100 else json.dumps({"items": []}).encode()
            app.add_api_route("/bench/floor", lambda: Response(floor_body, media_type="application/json"))
            sizes = sorted({min(items, 10_000), items})
            seeded = min(items, 1000)
            for size in sizes:
                seed_items(engine, start=seeded, stop=size, owners=owners, rng=rng)
                seeded = size
                print(f"\n== {backend}: {size:,} action items, {owners:,} owners ==")
                timings, floor = run_scenarios(base, engine, owners=owners, requests=requests, rng=rng,
                                               floor_body=floor_body)
                print_table(f"{backend} @ {size:,} items (sequential requests over loopback HTTP)",
                            timings, floor)
            explain(engine)


def main() -> None:
    run_scale_bench(__doc__ or "", bench, requests=400)


if __name__ == "__main__":
    main()
