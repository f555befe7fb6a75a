"""What a nudge sweep costs at 10k, 100k and 1M open action items with 1% due, and what a
team's weekly digest costs at 10k items; on SQLite and PostgreSQL.

Seeding writes rows straight into the tables (executemany on SQLite, COPY on PostgreSQL): every
item is open and scheduled, 1% of them due now and overdue (each due row really records a
nudge and its outbox message), the rest due in 30 days. Then:

- one sweep batch (limit 500, what one transaction does): time and SQL statements;
- draining every due row in batches of 500 (what one scheduler run does): time, statements,
  and time per due item, which is what should stay flat as the total grows;
- the schedule backfill check with nothing missing (hourly, outside the sweep): its anti-join
  does grow with the items stored, which is why it is not part of the per-minute sweep.

    python bench/nudges.py [--sizes 10k,100k,1M] [--backends sqlite,postgresql] [--digest-items 10000]
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, event, insert  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.common import fresh_database, postgres_url  # noqa: E402
from tracker.actions.models import ActionItem  # noqa: E402
from tracker.db import make_session_factory, transaction  # noqa: E402
from tracker.nudges.models import NudgeSchedule  # noqa: E402
from tracker.nudges.schedule import backfill  # noqa: E402
from tracker.nudges.sweep import sweep_batch  # noqa: E402
from tracker.people.models import Person, Role, Team  # noqa: E402

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)  # a Monday, inside working hours in UTC
OVERDUE, FUTURE = date(2026, 11, 20), date(2027, 2, 1)
ITEM_COLUMNS = ("id", "title", "description", "team_id", "owner_id", "deadline", "priority", "phase",
                "work_plan", "work_plan_submitted_at", "assigned_at", "created_at", "updated_at", "version")
CHUNK = 50_000


def parse_size(text: str) -> int:
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


def label(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else f"{n // 1000}k"


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def seed_people(session: Session) -> tuple[int, int]:
    lead = Person(name="Lead", email="lead@bench.example", role=Role.lead, timezone="UTC")
    owner = Person(name="Owner", email="owner@bench.example", role=Role.owner, timezone="UTC")
    session.add_all([lead, owner])
    session.flush()
    team = Team(name="Bench team", department="billing", lead_id=lead.id, slack_channel="#bench", timezone="UTC")
    session.add(team)
    session.flush()
    return owner.id, team.id


def _rows(start: int, stop: int, due: int, owner_id: int, team_id: int) -> Iterator[tuple[object, ...]]:
    assigned = NOW - timedelta(days=60)
    for i in range(start, stop):
        yield (i, f"Bench item {i}", "", team_id, owner_id, OVERDUE if i <= due else FUTURE, "medium",
               "implementing", "plan", assigned, assigned, assigned, assigned, 1)


def seed_items(engine: Engine, count: int, due: int, owner_id: int, team_id: int) -> None:
    later = NOW + timedelta(days=30)
    for start in range(1, count + 1, CHUNK):
        stop = min(start + CHUNK, count + 1)
        if engine.dialect.name == "postgresql":
            _copy(engine, start, stop, due, owner_id, team_id, later)
            continue
        with engine.begin() as conn:
            conn.execute(insert(ActionItem.__table__), [dict(zip(ITEM_COLUMNS, r, strict=True))
                                                        for r in _rows(start, stop, due, owner_id, team_id)])
            conn.execute(insert(NudgeSchedule.__table__), [
                {"action_item_id": i, "next_at": NOW - timedelta(minutes=1) if i <= due else later,
                 "snoozes": 0} for i in range(start, stop)])


def _copy(engine: Engine, start: int, stop: int, due: int, owner_id: int, team_id: int, later: datetime) -> None:
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cur:  # type: ignore[attr-defined]
            with cur.copy(f"COPY action_items ({', '.join(ITEM_COLUMNS)}) FROM STDIN") as copy:
                for row in _rows(start, stop, due, owner_id, team_id):
                    copy.write_row(row)
            buf = io.StringIO()
            for i in range(start, stop):
                buf.write(f"{i}\t{(NOW - timedelta(minutes=1) if i <= due else later).isoformat()}\t0\n")
            with cur.copy("COPY nudge_schedule (action_item_id, next_at, snoozes) FROM STDIN") as copy:
                copy.write(buf.getvalue())
        raw.commit()
    finally:
        raw.close()


def analyze(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")


def bench_sweep(backend: str, count: int) -> None:
    due = count // 100
    with fresh_database(backend) as (_, engine):
        factory = make_session_factory(engine)
        t0 = time.perf_counter()
        with transaction(factory) as session:
            owner_id, team_id = seed_people(session)
        seed_items(engine, count, due, owner_id, team_id)
        analyze(engine)
        seeded = time.perf_counter() - t0
        with transaction(factory) as session:  # warm the connection and caches, recording nothing
            sweep_batch(session, now=NOW - timedelta(days=1), limit=1)
            session.rollback()
        t0 = time.perf_counter()
        with statements(engine) as seen, transaction(factory) as session:
            rows, recorded = sweep_batch(session, now=NOW, limit=500)
        one = time.perf_counter() - t0
        one_statements = len(seen)
        batches, total, drain_statements = 1, recorded, one_statements
        t0 = time.perf_counter()
        with statements(engine) as seen:
            while rows == 500:
                with transaction(factory) as session:
                    rows, recorded = sweep_batch(session, now=NOW, limit=500)
                batches += 1
                total += recorded
        drain = one + time.perf_counter() - t0
        drain_statements += len(seen)
        with transaction(factory) as session:
            t0 = time.perf_counter()
            added = backfill(session, now=NOW)
            check = time.perf_counter() - t0
    print(f"  {backend:<10} {label(count):>5} items, {due:>6} due | seed {seeded:6.1f} s | one batch of 500: "
          f"{one * 1000:7.1f} ms, {one_statements} statements | all due: {total:>6} recorded in {batches:>2} "
          f"batches, {drain * 1000:8.1f} ms, {drain_statements:>3} statements, {drain / max(total, 1) * 1e6:6.0f} "
          f"us/nudge | backfill check {check * 1000:7.1f} ms ({added} added)")


def bench_digest(backend: str, items: int) -> None:
    from bench.nudges_digest import seed_team_week, time_digest

    with fresh_database(backend) as (_, engine):
        factory = make_session_factory(engine)
        team_id, seeded = seed_team_week(factory, items)
        analyze(engine)
        time_digest(factory, engine, backend, team_id, items, seeded)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10k,100k,1M")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--digest-items", type=int, default=10_000)
    args = parser.parse_args()
    backends = [b for b in args.backends.split(",") if b == "sqlite" or postgres_url()]
    print(f"Nudge sweep, 1% of open items due (each records a nudge); at {NOW:%Y-%m-%d %H:%M} UTC")
    for backend in backends:
        for size in args.sizes.split(","):
            bench_sweep(backend, parse_size(size))
    print(f"\nWeekly digest of one team with {args.digest_items} action items")
    for backend in backends:
        bench_digest(backend, args.digest_items)


if __name__ == "__main__":
    main()
