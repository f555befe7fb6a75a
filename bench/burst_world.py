"""The world bench/burst.py runs against: emulators, seeded items linked to tickets, the tracker's
processes (configured by environment, as in production), and the check that everything applied.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bench.common import free_port
from integrations.github.mapping import GitHubMapping
from integrations.jira import emulator as jira
from integrations.jira.mapping import JiraMapping, same_status
from integrations.slack.emulator import SlackEmulator
from tests.sync.fleet import (
    GITHUB_CONNECTION,
    GITHUB_REPO,
    JIRA_CONNECTION,
    ROOT,
    WorkerProcess,
    github_emulator,
    seed_and_promote,
    worker_env,
)
from tracker.actions.models import ActionItem
from tracker.auth.models import ApiToken
from tracker.auth.service import hash_token
from tracker.db import transaction
from tracker.nudges.models import Nudge, NudgeKind, NudgeState
from tracker.outbox.models import OutboxMessage, OutboxState
from tracker.outbox.service import enqueue
from tracker.people.models import Person, Role
from tracker.sync.models import LinkState, TargetKind, TicketLink, TicketTarget

TOKEN = "trk_burst_bench_token_not_secret"
WEBHOOK_SECRET = "burst-webhook-secret"
SLACK_TOKEN, SLACK_SECRET = "xoxb-burst-bench", "burst-slack-signing-secret"


@dataclass
class Emulators:
    jira: Any
    github: Any
    slack: SlackEmulator

    @classmethod
    def start(cls) -> Emulators:
        # Slack's per-method tiers off: the figures are about us, not Slack's pacing of chat.update.
        slack = SlackEmulator(bot_token=SLACK_TOKEN, signing_secret=SLACK_SECRET, rate_limits=False).start()
        return cls(jira.JiraEmulator().start(), github_emulator(), slack)

    def stop(self) -> None:
        for emulator in (self.jira, self.github, self.slack):
            emulator.stop()


@dataclass
class Seeded:
    load_items: list[int]  # scenario 1 and the webhooks' tickets
    click_items: list[int]  # scenario 3: one nudge each in the owner's DM
    owner_slack_id: str


def seed(factory: sessionmaker[Session], emulators: Emulators, *, per_target: int, clicks: int) -> Seeded:
    """Items per vendor, all promoted; the lead's API token; a nudge per click item (worker posts)."""
    click_per_target = clicks // 2
    ids = seed_and_promote(factory, per_target=per_target + click_per_target)
    user = emulators.slack.add_user("soak.owner", email="owner@soak.example", real_name="Soak Owner")
    with transaction(factory) as session:
        lead = session.scalars(select(Person).where(Person.role == Role.lead)).one()
        session.add(ApiToken(person_id=lead.id, name="burst", prefix=TOKEN[:10], token_hash=hash_token(TOKEN),
                             created_at=datetime.now(UTC)))
        session.execute(update(Person).where(Person.role == Role.owner).values(slack_user_id=user.id))
        owner = session.scalars(select(Person).where(Person.role == Role.owner)).one()
        load, click = [], []
        for kind_ids in ids.values():
            load += kind_ids[:per_target]
            click += kind_ids[per_target:]
        for n, item_id in enumerate(click):
            nudge = Nudge(action_item_id=item_id, kind=NudgeKind.overdue, slot=f"burst-{n}",
                          recipient_id=owner.id, state=NudgeState.pending)
            session.add(nudge)
            session.flush()
            enqueue(session, kind="slack.nudge", payload={"nudge_id": nudge.id}, ordering_key=f"nudge:{item_id}")
    return Seeded(load, click, user.id)


def tracker_env(database_url: str, emulators: Emulators) -> dict[str, str]:
    """TRACKER_* for every process: database, both ticket connections (with webhook secrets), Slack."""
    env = worker_env(database_url, jira_emulator=emulators.jira, github_emulator=emulators.github,
                     log_level="warning")
    for name in (JIRA_CONNECTION, GITHUB_CONNECTION):
        env[f"TRACKER_CONNECTIONS__{name.upper()}__WEBHOOK_SECRET"] = WEBHOOK_SECRET
    env.update({"TRACKER_SLACK__BOT_TOKEN": SLACK_TOKEN, "TRACKER_SLACK__SIGNING_SECRET": SLACK_SECRET,
                "TRACKER_SLACK__BASE_URL": emulators.slack.url + "/api/",
                "TRACKER_BASE_URL": "http://tracker.bench"})
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        env.pop(name, None)  # slack-sdk honours proxies; loopback must not go through one
    env["no_proxy"] = "*"
    return env


@dataclass
class Fleet:
    """The tracker's processes: API base URLs, and every process to stop at the end."""

    apis: list[str] = field(default_factory=list)
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    workers: list[WorkerProcess] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)

    def _api(self, args: list[str], env: dict[str, str], log: Path) -> None:
        port = free_port()
        with log.open("ab") as out:
            self.procs.append(subprocess.Popen([sys.executable, *args, str(port)] if args[0].endswith(".py") else
                                               [sys.executable, *args, "--port", str(port)],
                                               env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT))
        self.apis.append(f"http://127.0.0.1:{port}")
        self.logs.append(log)

    @classmethod
    def sqlite(cls, env: dict[str, str], logs: Path) -> Fleet:
        fleet = cls()
        fleet._api([str(ROOT / "bench" / "burst_serve.py")], env, logs / "serve.log")
        return fleet.ready()

    @classmethod
    def postgresql(cls, env: dict[str, str], logs: Path, *, apis: int = 2, workers: int = 2) -> Fleet:
        fleet = cls()
        for n in range(apis):
            fleet._api(["-m", "uvicorn", "tracker.app:create_app", "--factory", "--host", "127.0.0.1",
                        "--log-level", "warning"], env, logs / f"api{n}.log")
        for n in range(workers):
            log = logs / f"worker{n}.log"
            fleet.workers.append(WorkerProcess(env, log, f"burst-w{n}").start())
            fleet.logs.append(log)
        return fleet.ready()

    def ready(self) -> Fleet:
        deadline = time.monotonic() + 60
        for base in self.apis:
            while True:
                try:
                    if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit(f"{base} did not come up; see {self.logs}")
                time.sleep(0.1)
        return self

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for worker in self.workers:
            worker.stop()
        for proc in self.procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()

    def errors_logged(self) -> list[str]:
        lines = []
        for log in self.logs:
            if log.exists():
                lines += [ln for ln in log.read_text(errors="replace").splitlines()
                          if "Traceback" in ln or " ERROR " in ln or "WARNING" in ln]
        return lines


@dataclass
class Convergence:
    pending: int
    dead: int
    mismatched: list[str]

    @property
    def done(self) -> bool:
        return self.pending == 0 and not self.mismatched


JIRA_MAP, GITHUB_MAP = JiraMapping.from_overrides({}), GitHubMapping.from_overrides({})


def convergence(factory: sessionmaker[Session], emulators: Emulators) -> Convergence:
    """Outbox messages still pending, dead ones, and linked tickets whose title/phase differ."""
    with factory() as session:
        counts = dict(session.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)).all())
        rows = session.execute(
            select(TicketLink.remote_key, TicketLink.state, TicketTarget.kind, ActionItem.title, ActionItem.phase)
            .join(TicketTarget, TicketTarget.id == TicketLink.target_id)
            .join(ActionItem, ActionItem.id == TicketLink.action_item_id)).all()
    mismatched = []
    for key, state, kind, title, phase in rows:
        if state is not LinkState.linked or key is None:
            mismatched.append(f"{kind.value} {key}: link {state.value}")
            continue
        if kind is TargetKind.jira:
            record = emulators.jira.issue(key)
            ticket_title, ok = record.summary, same_status(record.status.name, JIRA_MAP.status_for(phase))
        else:
            issue = emulators.github.issue(GITHUB_REPO, int(key))
            wanted = GITHUB_MAP.issue_state(phase)
            labels = {label.name for label in issue.labels}
            ticket_title = issue.title
            ok = issue.state == wanted.state and (wanted.phase_label is None or wanted.phase_label in labels)
        if ticket_title != title or not ok:
            mismatched.append(f"{kind.value} {key}")
    return Convergence(counts.get(OutboxState.pending, 0), counts.get(OutboxState.dead, 0), mismatched)


def wait_applied(factory: sessionmaker[Session], emulators: Emulators, *, timeout: float) -> tuple[float, Convergence]:
    """Seconds until the outbox is drained and every ticket equals its item (or the timeout)."""
    started = time.monotonic()
    while True:
        state = convergence(factory, emulators)
        if state.done or time.monotonic() - started > timeout:
            return time.monotonic() - started, state
        time.sleep(0.25)


def env_summary() -> str:
    return f"{os.cpu_count()} cores, python {sys.version.split()[0]}"
