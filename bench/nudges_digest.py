"""Seeding and timing a team's weekly digest for bench/nudges.py: 10k items of one team in every
phase, a week of phase changes, closed-loop checklists, training records and broken links."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session, sessionmaker

from tracker.actions.models import ActionItem, ChecklistEntry, TrainingRecord
from tracker.activity.models import ActivityEntry
from tracker.db import transaction
from tracker.digests.builder import build_digest
from tracker.digests.render import to_html, to_markdown
from tracker.moments.models import MomentOfTruth
from tracker.people.models import Person, Role, Team
from tracker.sync.models import LinkState, TargetKind, TicketLink, TicketTarget

WEEK, MONDAY, TODAY = "2026-W47", date(2026, 11, 16), date(2026, 11, 23)
PHASES = ("planned", "implementing", "training", "closing_loop", "done", "blocked", "cancelled")
STATUSES = ("pending", "notified", "acknowledged", "unreachable")


def seed_team_week(factory: sessionmaker[Session], items: int) -> tuple[int, float]:
    started = time.perf_counter()
    with transaction(factory) as session:
        owners = [Person(name=f"Owner {n}", email=f"owner{n}@bench.example", role=Role.owner) for n in range(50)]
        session.add_all(owners)
        session.flush()
        team = Team(name="Billing Operations", department="billing", timezone="Europe/Berlin", slack_channel="#b")
        target = TicketTarget(name="Bench Jira", kind=TargetKind.jira, connection="bench", project="B")
        moments = [MomentOfTruth(title=f"Moment {n}") for n in range(200)]
        session.add_all([team, target, *moments])
        session.flush()
        start = datetime.combine(MONDAY, datetime.min.time(), tzinfo=UTC)
        rows, history, checklist, training, links = [], [], [], [], []
        for i in range(1, items + 1):
            phase = PHASES[i % len(PHASES)]
            deadline = MONDAY + timedelta(days=(i % 90) - 45)
            rows.append({"id": i, "title": f"Digest item {i}", "description": "", "team_id": team.id,
                         "owner_id": owners[i % 50].id, "deadline": deadline, "priority": "medium", "phase": phase,
                         "moment_id": moments[i % 200].id, "assigned_at": start - timedelta(days=60),
                         "completed_at": start + timedelta(hours=i % 160) if phase == "done" else None,
                         "created_at": start - timedelta(days=60), "updated_at": start, "version": 1})
            if i % 5 == 0:  # a fifth of the items moved this week
                history.append({"at": start + timedelta(hours=i % 160), "actor_label": "bench",
                                "entity_type": "action_item", "entity_id": i, "action": "phase_changed",
                                "changes": {"phase": {"from": "planned", "to": phase}}, "action_item_id": i})
            if phase in ("closing_loop", "done"):
                checklist += [{"action_item_id": i, "customer_name": f"C{i}-{k}", "contact": f"c{i}.{k}@x.example",
                               "channel": "email", "message": "", "status": STATUSES[(i + k) % 4], "note": "",
                               "version": 1} for k in range(3)]
            training.append({"action_item_id": i, "needed": i % 3 == 0, "audience": "", "sessions_held": i % 4,
                             "people_trained": i % 11, "target_count": 10, "notes": "", "version": 1})
            if i % 100 == 0:
                links.append({"action_item_id": i, "target_id": target.id, "state": LinkState.broken,
                              "marker": f"bench-{i}", "remote_key": f"B-{i}", "broken_reason": "project archived",
                              "snapshot": {}, "dirty_fields": []})
        for model, batch in ((ActionItem, rows), (ActivityEntry, history), (ChecklistEntry, checklist),
                             (TrainingRecord, training), (TicketLink, links)):
            session.execute(insert(model.__table__), batch)  # type: ignore[attr-defined]
        team_id = team.id
    return team_id, time.perf_counter() - started


def time_digest(factory: sessionmaker[Session], engine: Engine, backend: str, team_id: int, items: int,
                seeded: float) -> None:
    with factory() as session:
        build_digest(session, scope=f"team:{team_id}", week=WEEK, today=TODAY)  # warm
        samples = []
        for _ in range(5):
            t0 = time.perf_counter()
            report = build_digest(session, scope=f"team:{team_id}", week=WEEK, today=TODAY)
            samples.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        to_markdown(report), to_html(report)
        render = time.perf_counter() - t0
    best, median = min(samples), sorted(samples)[len(samples) // 2]
    t = report.totals
    print(f"  {backend:<10} team of {items} items (seeded in {seeded:.1f} s): build {median * 1000:.1f} ms "
          f"(best {best * 1000:.1f} ms of 5), render md+html {render * 1000:.1f} ms | moved {t['moved']}, "
          f"completed {t['completed']}, overdue {t['overdue']}, moments closed {t['moments_closed']}, "
          f"broken links {t['broken_links']}")
