"""Pieces shared by the soak, the two-worker test and bench/sync.py.

- `seed_and_promote`: people, a Jira and a GitHub target, N action items per target, all
  promoted through the real service and committed (a worker in another process must see them).
- `worker_env` / `WorkerProcess`: the real `tracker worker` command as a subprocess, configured
  only through the environment, as in production.
- `tickets_by_marker`: what the vendors hold, keyed by our marker (Jira label / GitHub body line).
- `CreateLog`: every create POST an emulator receives, with the marker it carries and who sent it.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from integrations.emulation import Request, Response
from integrations.github import emulator as gh
from integrations.jira import emulator as jira
from tracker.actions.models import ActionItem, Phase, Priority, TrainingRecord
from tracker.db import transaction
from tracker.outbox.models import OutboxMessage, OutboxState
from tracker.people.models import Person, Role, Team
from tracker.sync.models import LinkState, TargetKind, TicketLink, TicketTarget
from tracker.sync.service import promote_item

JIRA_CONNECTION, GITHUB_CONNECTION = "soak_jira", "soak_github"
JIRA_PROJECT, GITHUB_REPO = "CX", gh.DEFAULT_REPO
OWNER_GITHUB_LOGIN = "bob-gh"
GITHUB_MARKER = re.compile(r"<!-- tracker:marker=(\S+) -->")
ROOT = Path(__file__).resolve().parents[2]


def github_emulator(**kwargs: Any) -> gh.GitHubEmulator:
    return gh.GitHubEmulator(users=("octocat", OWNER_GITHUB_LOGIN), **kwargs).start()


def seed_and_promote(
    factory: sessionmaker[Session], *, per_target: int, kinds: tuple[str, ...] = ("jira", "github"),
    due_dates: int = 4,
) -> dict[str, list[int]]:
    """Commit `per_target` items for each kind's target and promote them; item ids by kind.

    Deadlines fall on `due_dates` dates only, so GitHub milestones (one per date) are amortized."""
    today = date.today()
    with transaction(factory) as session:
        lead = Person(name="Soak Lead", email="lead@soak.example", role=Role.lead)
        owner = Person(name="Soak Owner", email="owner@soak.example", role=Role.owner,
                       jira_account_id=jira.BOB_ID, github_login=OWNER_GITHUB_LOGIN)
        session.add_all([lead, owner])
        session.flush()
        ids: dict[str, list[int]] = {}
        for kind in kinds:
            connection, project = (JIRA_CONNECTION, JIRA_PROJECT) if kind == "jira" else \
                (GITHUB_CONNECTION, GITHUB_REPO)
            target = TicketTarget(name=f"soak {kind}", kind=TargetKind(kind), connection=connection,
                                  project=project, mapping={})
            session.add(target)
            session.flush()
            team = Team(name=f"Soak {kind}", department="product", ticket_target_id=target.id)
            session.add(team)
            session.flush()
            items = [ActionItem(title=f"{kind} item {n}: fix the VAT line", team_id=team.id, owner_id=owner.id,
                                deadline=today + timedelta(days=7 * (1 + n % due_dates)),
                                priority=Priority.high, phase=Phase.planned,
                                description=f"Invoices show VAT twice ({kind} #{n}).")
                     for n in range(per_target)]
            session.add_all(items)
            session.flush()
            session.add_all([TrainingRecord(action_item_id=item.id, needed=False) for item in items])
            ids[kind] = [item.id for item in items]
        session.flush()
        for kind in kinds:
            for item_id in ids[kind]:
                promote_item(session, actor=lead, item_id=item_id)
    return ids


def worker_env(database_url: str, *, jira_emulator: Any = None, github_emulator: Any = None,
               jira_token: str = jira.BOT_TOKEN, jira_user: str = jira.BOT_EMAIL,
               github_token: str = gh.BOT_TOKEN, **settings: str) -> dict[str, str]:
    """The environment of a `tracker worker`: database, connections, and any TRACKER_* extras
    (given lower-case without the prefix, e.g. outbox_lease_seconds="4")."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env["TRACKER_DATABASE_URL"] = database_url
    env["TRACKER_LOG_LEVEL"] = "info"
    fast = settings.pop("connection_max_retry_delay", None)
    connections: list[tuple[str, dict[str, str]]] = []
    if jira_emulator is not None:
        connections.append((JIRA_CONNECTION, {"KIND": "jira", "URL": jira_emulator.url, "USER": jira_user,
                                              "TOKEN": jira_token, "BOT_IDENTITY": jira.BOT_ID}))
    if github_emulator is not None:
        connections.append((GITHUB_CONNECTION, {"KIND": "github", "URL": github_emulator.api_url,
                                                "TOKEN": github_token, "BOT_IDENTITY": gh.BOT_LOGIN,
                                                "SECONDS_BETWEEN_REQUESTS": "0", "SECONDS_BETWEEN_WRITES": "0"}))
    for name, values in connections:
        if fast is not None:
            values["MAX_RETRY_DELAY"] = fast
        for key, value in values.items():
            env[f"TRACKER_CONNECTIONS__{name.upper()}__{key}"] = value
    for key, value in settings.items():
        env[f"TRACKER_{key.upper()}"] = value
    return env


class WorkerProcess:
    """`tracker worker --no-scheduler` in its own process; its log goes to a file (a pipe could
    fill up and stall it)."""

    def __init__(self, env: dict[str, str], log_path: Path, worker_id: str) -> None:
        self.env, self.log_path, self.worker_id = env, log_path, worker_id
        self.proc: subprocess.Popen[bytes] | None = None
        self.runs = 0

    def start(self) -> WorkerProcess:
        self.runs += 1
        log = self.log_path.open("ab")
        log.write(f"=== run {self.runs} ===\n".encode())
        log.flush()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from tracker.cli import app; app()", "worker", "--no-scheduler",
             "--worker-id", self.worker_id],
            env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        return self

    def started(self) -> bool:
        """True once this run has logged its start line (handlers and signals installed)."""
        return self.log().count(f"worker {self.worker_id} started") >= self.runs

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        assert self.proc.returncode == -signal.SIGKILL

    def stop(self) -> int:
        """SIGTERM and wait: the worker finishes its batch and exits 0."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(30)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str, every: float = 0.05) -> float:
    """Poll until `condition()`; returns the seconds it took, fails the test after `timeout`."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(every)
    return time.monotonic() - started


def count_links(factory: sessionmaker[Session], state: LinkState) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(TicketLink).where(TicketLink.state == state)) or 0


def count_outbox(factory: sessionmaker[Session], state: OutboxState) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(OutboxMessage)
                              .where(OutboxMessage.state == state)) or 0


def tickets_by_marker(jira_emulator: Any = None, github_emulator: Any = None) -> dict[str, list[tuple[str, str]]]:
    """marker -> [(kind, ticket key)] over every ticket the emulators hold (unmarked ones under "")."""
    found: dict[str, list[tuple[str, str]]] = {}
    if jira_emulator is not None:
        for record in jira_emulator.issues(JIRA_PROJECT):
            markers = [label for label in record.labels if label.startswith("trk-")] or [""]
            for marker in markers:
                found.setdefault(marker, []).append(("jira", record.key))
    if github_emulator is not None:
        for issue in github_emulator.issues(GITHUB_REPO):
            markers = GITHUB_MARKER.findall(issue.body or "") or [""]
            for marker in markers:
                found.setdefault(marker, []).append(("github", str(issue.number)))
    return found


@dataclass(frozen=True)
class CreateCall:
    kind: str
    marker: str | None
    credential: str  # the Authorization header: tells the workers apart when each has its own token
    status: int


class CreateLog:
    """Wraps an emulator's request handling to log every create POST with its marker."""

    PATHS = {"jira": re.compile(r"/rest/api/2/issue$"), "github": re.compile(r"/repos/[^/]+/[^/]+/issues$")}

    def __init__(self) -> None:
        self.calls: list[CreateCall] = []

    def watch(self, kind: str, emulator: Any) -> None:
        handle, path = emulator.handle, self.PATHS[kind]

        def logged(request: Request) -> Response:
            response = handle(request)
            if request.method == "POST" and path.search(request.path):
                self.calls.append(CreateCall(kind, _marker_of(kind, request.body),
                                             request.headers.get("authorization", ""), response.status))
            return response

        emulator.handle = logged  # the dispatcher looks `handle` up on the instance


def _marker_of(kind: str, body: bytes) -> str | None:
    try:
        data = json.loads(body or b"null")
    except ValueError:
        return None
    if kind == "jira":
        labels = ((data or {}).get("fields") or {}).get("labels") or []
        return next((label for label in labels if label.startswith("trk-")), None)
    found = GITHUB_MARKER.search((data or {}).get("body") or "")
    return found.group(1) if found else None
