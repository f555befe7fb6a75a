"""Helpers shared by the benchmarks: fresh databases, a live server on loopback, timing tables."""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine, text

from tracker.db import make_engine
from tracker.migrations import upgrade
from tracker.serving import ready

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_url() -> str | None:
    """The PostgreSQL to benchmark on, if one answers."""
    url = os.environ.get("TRACKER_BENCH_DATABASE_URL") or os.environ.get("TRACKER_TEST_DATABASE_URL") or DEFAULT_PG
    try:
        engine = make_engine(url)
        with engine.connect():
            pass
        engine.dispose()
        return url
    except Exception:  # noqa: BLE001 - no PostgreSQL here: benchmark SQLite only
        return None


@contextmanager
def fresh_database(backend: str) -> Iterator[tuple[str, Engine]]:
    """A migrated, empty database: a temp SQLite file or a throwaway PostgreSQL schema."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/bench.db"
            upgrade(url)
            engine = make_engine(url)
            yield url, engine
            engine.dispose()
        return
    base = postgres_url()
    assert base, "PostgreSQL is not reachable"
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}options=-csearch_path%3D{schema}"
    upgrade(url)
    engine = make_engine(url)
    try:
        yield url, engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


class ScaleBench(Protocol):
    def __call__(self, backend: str, *, items: int, owners: int, requests: int) -> None: ...


def run_scale_bench(doc: str, bench: ScaleBench, *, requests: int) -> None:
    """The command line the scale benchmarks share: data size, requests per scenario, and the
    databases (both by default; PostgreSQL is skipped when it does not answer)."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--owners", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=requests)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    for backend in (["sqlite", "postgresql"] if args.database == "both" else [args.database]):
        if backend == "postgresql" and not postgres_url():
            print("PostgreSQL not reachable: skipped")
            continue
        bench(backend, items=args.items, owners=args.owners, requests=args.requests)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Run the app under uvicorn on loopback in a background thread, readied as `tracker serve`
    readies it (templates parsed, long-lived objects frozen out of the garbage collector)."""
    ready(app)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class Timing:
    name: str
    samples: list[float]  # seconds per request
    wall: float  # seconds for all requests

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def p99_ms(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000

    @property
    def rps(self) -> float:
        return len(self.samples) / self.wall


def measure(name: str, count: int, request: Callable[[int], None]) -> Timing:
    for i in range(count, count + 20):  # warm pools and caches (indices past the measured ones)
        request(i)
    samples = []
    started = time.perf_counter()
    for i in range(count):
        t0 = time.perf_counter()
        request(i)
        samples.append(time.perf_counter() - t0)
    return Timing(name, samples, time.perf_counter() - started)


def print_table(title: str, timings: list[Timing], floor: Timing) -> None:
    print(f"\n{title}")
    print(f"  {'scenario':<34} {'n':>5} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8} {'p50/floor':>9}")
    for t in [floor, *timings]:
        ratio = t.p50_ms / floor.p50_ms
        print(f"  {t.name:<34} {len(t.samples):>5} {t.p50_ms:>8.2f} {t.p99_ms:>8.2f} {t.rps:>8.0f} {ratio:>8.1f}x")


def print_plans(engine: Engine, queries: dict[str, str], *, width: int = 240) -> None:
    """Print the database's plan for each named query (EXPLAIN, or SQLite's EXPLAIN QUERY PLAN)."""
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as conn:
        for name, sql in queries.items():
            plan = [" ".join(str(c) for c in row) for row in conn.execute(text(prefix + sql))]
            print(f"  plan {name}: {' | '.join(plan)[:width]}")
