"""Page latency at scale: each browser page next to the JSON API call for the same data, both
measured in the same run, at 100k action items, on SQLite and PostgreSQL.

Seeds the programme of bench/overview.py (1k owners, 10 teams, 300 moments with investigations,
action items with checklists, training and ticket links) plus a 40-step customer journey with
friction pinned on it (bench/pages_world.py), signs a lead in, and measures over real HTTP on
loopback the p50/p99 time of each pair, page and JSON call in turns:
  - the programme home `/`              next to GET /programme/overview
  - the board `/app/board` (196 cards)   next to GET /board (its columns, counts and cards as JSON),
                                         and next to GET /action-items?limit=200 (the bare items)
  - the board filtered to one team       next to GET /board?team_id=3
  - the journey map of 40 steps          next to GET /journey-maps/{id} and GET /journey-maps/{id}/pins
                                         (its friction with their fixes), and next to the first alone
  - the moments page (ranked + matrix)   next to GET /moments, every moment (2 pages of <= 200)
  - My work of the owner with the most open items, signed in as that owner,
                                         next to GET /my-work with that owner's token (the same
                                         rows, blockers, next steps and snoozes as JSON), and
                                         next to GET /action-items?owner_id=<them>&limit=200 (the
                                         bare items, without what the page works out for each)
  - the closed-loop queue (first 25 customers), topped up to 50k pending notifications on shipped
    items (from a pool of 30k customers) next to GET /closed-loop/queue?limit=25
Pages send the session cookie, JSON calls the API token; each side's response size is printed
beside it. Goal: each page within 2x its JSON call.

    python bench/pages.py [--items 100000] [--owners 1000] [--requests 200] [--database both]
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
from sqlalchemy import Engine, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import Executable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.api import TOKEN, seed_people  # noqa: E402
from bench.common import Timing, fresh_database, print_plans, run_scale_bench, serve  # noqa: E402
from bench.overview import MOMENTS, seed_items, seed_programme  # noqa: E402
from bench.pages_world import (  # noqa: E402
    JourneyWorld,
    api_token,
    owner_with_most_open_items,
    seed_journey,
    seed_pending_notifications,
    sign_in,
)
from tracker.actions.models import ActionItem  # noqa: E402
from tracker.actions.queries import ActionFilters, list_query  # noqa: E402
from tracker.app import create_app  # noqa: E402
from tracker.config import Settings  # noqa: E402
from tracker.moments.models import MomentOfTruth  # noqa: E402
from tracker.moments.status import live_items_of  # noqa: E402
from tracker.web.session import COOKIE  # noqa: E402

GOAL = 2.0  # a page may take at most twice its JSON call
SIGNED_IN_MARK = 'action="/sign-out"'  # only a signed-in page has the sign-out form


@dataclass(frozen=True)
class Pair:
    page: Timing
    page_kb: float
    api: Timing
    api_kb: float

    @property
    def ratio(self) -> float:
        return self.page.p50_ms / self.api.p50_ms


def print_pairs(title: str, pairs: list[Pair]) -> None:
    print(f"\n{title}")
    print(f"  {'page':<36} {'KB':>5} {'p50 ms':>7} {'p99 ms':>7}   {'JSON call (same run)':<38} {'KB':>5} "
          f"{'p50 ms':>7} {'p99 ms':>7} {'page/JSON':>9}")
    for p in pairs:
        verdict = "" if p.ratio <= GOAL else f"  over {GOAL:g}x"
        print(f"  {p.page.name:<36} {p.page_kb:>5.0f} {p.page.p50_ms:>7.1f} {p.page.p99_ms:>7.1f}   "
              f"{p.api.name:<38} {p.api_kb:>5.0f} {p.api.p50_ms:>7.1f} {p.api.p99_ms:>7.1f} {p.ratio:>8.2f}x{verdict}")


Fetch = Callable[[], int]  # one sample's requests; returns the bytes received


def measure_pair(page: tuple[str, Fetch], api: tuple[str, Fetch], count: int) -> tuple[Timing, Timing]:
    """The page and its JSON call in turns, so whatever else loads the machine meanwhile weighs on
    both alike and their ratio holds (bench/common.measure times one scenario after another)."""
    for _ in range(20):  # warm pools and caches
        page[1](), api[1]()
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(count):
        for (_, fetch), times in zip((page, api), samples, strict=True):
            started = time.perf_counter()
            fetch()
            times.append(time.perf_counter() - started)
    return Timing(page[0], samples[0], sum(samples[0])), Timing(api[0], samples[1], sum(samples[1]))


@dataclass(frozen=True)
class Owner:
    person_id: int
    open_items: int
    cookie: str
    token: str


def run(base: str, *, cookie: str, world: JourneyWorld, owner: Owner, pending: int, requests: int) -> list[Pair]:
    with (httpx.Client(base_url=base, cookies={COOKIE: cookie}, timeout=60) as browser,
          httpx.Client(base_url=base, cookies={COOKIE: owner.cookie}, timeout=60) as owner_browser,
          httpx.Client(base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60) as api,
          httpx.Client(base_url=base, headers={"Authorization": f"Bearer {owner.token}"}, timeout=60) as owner_api):

        def get(client: httpx.Client, path: str, params: dict[str, object]) -> httpx.Response:
            response = client.get(path, params=params)
            if response.status_code != 200:
                raise SystemExit(f"{path} -> {response.status_code}: {response.text[:300]}")
            return response

        def page(path: str, **params: object) -> Fetch:
            return lambda: len(get(browser, path, params).content)

        def owner_page(path: str) -> Fetch:
            return lambda: len(get(owner_browser, path, {}).content)

        def owner_call(path: str) -> Fetch:
            return lambda: len(get(owner_api, path, {}).content)

        def call(path: str, **params: object) -> Fetch:
            return lambda: len(get(api, path, params).content)

        def every_moment() -> int:
            # The page ranks every moment; the API hands them out in pages of at most 200.
            size, cursor = 0, None
            while True:
                listed = get(api, "/moments", {"limit": 200, **({"cursor": cursor} if cursor else {})})
                size += len(listed.content)
                if not (cursor := listed.json()["next_cursor"]):
                    return size

        def pair(page_name: str, page_fetch: Fetch, api_name: str, api_fetch: Fetch) -> Pair:
            page_t, api_t = measure_pair((page_name, page_fetch), (api_name, api_fetch), requests)
            return Pair(page_t, page_fetch() / 1024, api_t, api_fetch() / 1024)

        home = get(browser, "/", {})
        if SIGNED_IN_MARK not in home.text:  # `/` answers the sign-in page to a stranger, with a 200
            raise SystemExit("the session cookie did not sign in")
        cards = get(browser, "/app/board", {}).text.count('<li class="card')
        journey = f"/journey-maps/{world.map_id}"
        return [
            pair("/ (programme home)", page("/"), "GET /programme/overview", call("/programme/overview")),
            pair(f"/app/board ({cards} cards)", page("/app/board"), "GET /board", call("/board")),
            pair("  (the plain list of 200 items)", page("/app/board"),
                 "GET /action-items?limit=200", call("/action-items", limit=200)),
            pair("/app/board?team=3", page("/app/board", team=3), "GET /board?team_id=3", call("/board", team_id=3)),
            pair(f"/app{journey} ({world.steps} steps)", page(f"/app{journey}"),
                 f"GET {journey} and its /pins", lambda: call(journey)() + call(f"{journey}/pins")()),
            pair("  (the map's structure alone)", page(f"/app{journey}"), f"GET {journey}", call(journey)),
            pair("/app/moments", page("/app/moments"), "GET /moments (all: 2 pages)", every_moment),
            pair(f"/app/my-work ({owner.open_items} open)", owner_page("/app/my-work"),
                 "GET /my-work (the same owner)", owner_call("/my-work")),
            pair("  (the plain list of those items)", owner_page("/app/my-work"),
                 f"GET /action-items?owner_id={owner.person_id}&limit=200",
                 call("/action-items", owner_id=owner.person_id, limit=200)),
            pair(f"/app/closed-loop ({pending:,} pending)", page("/app/closed-loop"),
                 "GET /closed-loop/queue?limit=25", call("/closed-loop/queue", limit=25)),
        ]


def _sql(engine: Engine, stmt: Executable) -> str:
    dialect = postgresql.dialect() if engine.dialect.name == "postgresql" else sqlite.dialect()
    return str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def explain(engine: Engine, today: date) -> None:
    """The plans of the statements that read across many action items for these pages."""
    with engine.connect() as conn:
        ids = list(conn.scalars(select(MomentOfTruth.id).order_by(MomentOfTruth.id).limit(200)))
    matching = list_query(ActionFilters(), today=today).subquery()
    print_plans(engine, {
        "board column totals": _sql(engine, select(matching.c.phase, func.count()).group_by(matching.c.phase)),
        "items of 1 moment (status)": _sql(engine, live_items_of(ids[:1])),
        "items of 200 moments (status)": _sql(engine, live_items_of(ids)),
    }, width=400)


def bench(backend: str, *, items: int, owners: int, requests: int) -> None:
    rng = random.Random(13)
    today = date.today()
    with fresh_database(backend) as (url, engine):
        started = time.perf_counter()
        seed_people(engine, owners)
        seed_programme(engine, rng)
        world = seed_journey(engine, rng, first_moment_id=MOMENTS + 1, owners=owners, today=today)
        seed_items(engine, start=0, stop=items - world.action_items, owners=owners, rng=rng)
        with engine.connect() as conn:
            total = conn.scalar(select(func.count()).select_from(ActionItem))
            moments = conn.scalar(select(func.count()).select_from(MomentOfTruth))
        print(f"\n== {backend}: {total:,} action items, {owners:,} owners, {moments} moments, a journey map "
              f"of {world.steps} steps with {world.friction_points} friction points "
              f"(seeded in {time.perf_counter() - started:.0f} s) ==")
        pending = seed_pending_notifications(engine, rng)
        person_id, open_items = owner_with_most_open_items(engine)
        owner = Owner(person_id, open_items, sign_in(engine, person_id), api_token(engine, person_id))
        print(f"  closed-loop queue: {pending:,} pending notifications on shipped items; "
              f"My work of person {person_id}: {open_items} open items")
        cookie = sign_in(engine)
        with serve(create_app(Settings(database_url=url))) as base:
            pairs = run(base, cookie=cookie, world=world, owner=owner, pending=pending, requests=requests)
        print_pairs(f"{backend} @ {total:,} items: each page and its JSON call in turns "
                    "(sequential requests over loopback HTTP)", pairs)
        explain(engine, today)


def main() -> None:
    run_scale_bench(__doc__ or "", bench, requests=200)


if __name__ == "__main__":
    main()
