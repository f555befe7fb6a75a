"""The `make run` sandbox: emulated Jira and GitHub, wired to the tracker, when no real
credentials are configured, so a newcomer can push demo action items to tickets, change them
"in Jira" or "in GitHub", and watch the changes come back, with no vendor account. Without a
configured Slack app it also starts the Slack emulator: its /sandbox page shows each demo
person's DMs, and its buttons and /tracker commands reach this API as signed requests.

It starts the emulators in this process, registers their connections in the settings, points
ticket targets of the demo teams at them, and runs one worker thread next to the API.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from pydantic import SecretStr
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from integrations.github.emulator import BOT_LOGIN, BOT_TOKEN, GitHubEmulator
from integrations.jira.emulator import BOT_EMAIL, BOT_ID, JiraEmulator
from integrations.jira.emulator import BOT_TOKEN as JIRA_BOT_TOKEN
from integrations.sandbox_people import SandboxPeople
from integrations.slack.emulator import SlackEmulator
from tracker.config import ConnectionSettings, Settings, SlackSettings
from tracker.db import make_engine, make_session_factory, read_only_factory, transaction
from tracker.people.models import Person, Team
from tracker.sync.models import TargetKind, TicketLink, TicketTarget

log = logging.getLogger(__name__)

JIRA, GITHUB = "sandbox_jira", "sandbox_github"
WEBHOOK_SECRET = "sandbox-webhook-secret"  # only ever signs loopback traffic to ourselves
SLACK_TOKEN, SLACK_SECRET = "xoxb-sandbox-bot-token", "sandbox-slack-signing-secret"
# Which demo team sends its action items where (teams not listed have no target).
TEAM_TARGETS = {
    "Billing Operations": (TargetKind.jira, "CX"),
    "Customer Support": (TargetKind.jira, "CX"),
    "Sales": (TargetKind.jira, "OPS"),
    "Product": (TargetKind.github, "brightdesk/product"),
    "Documentation": (TargetKind.github, "brightdesk/docs"),
}
# The emulated OPS project has a company-managed review workflow whose "Done" screen demands a
# resolution (as many real projects do); its target says which one to give.
TARGET_MAPPINGS: dict[str, dict[str, Any]] = {
    "OPS": {"transition_fields": {"Done": {"resolution": {"name": "Done"}}}},
}


class Sandbox:
    def __init__(self, settings: Settings, *, api_base: str, jira_port: int = 0, github_port: int = 0,
                 slack_port: int = 0) -> None:
        self.settings = settings
        self.api_base = api_base.rstrip("/")
        self.jira = JiraEmulator(webhook_url=f"{self.api_base}/webhooks/jira/{JIRA}", webhook_secret=WEBHOOK_SECRET)
        self.github = GitHubEmulator(repos=("brightdesk/product", "brightdesk/docs"),
                                     webhook_url=f"{self.api_base}/webhooks/github/{GITHUB}",
                                     webhook_secret=WEBHOOK_SECRET)
        # Slack is emulated only when no real Slack app is configured.
        self.slack = None if settings.slack is not None else SlackEmulator(
            bot_token=SLACK_TOKEN, signing_secret=SLACK_SECRET, bot_name="cx-tracker",
            interactivity_url=f"{self.api_base}/slack/interactivity",
            slash_command_url=f"{self.api_base}/slack/commands")
        self.people = SandboxPeople(self.jira, self.github, self.slack)
        self._ports = (jira_port, github_port, slack_port)
        self._stop = threading.Event()
        self._engine: Engine | None = None

    def start(self) -> list[str]:
        _start_on(self.jira, self._ports[0])
        _start_on(self.github, self._ports[1])
        if self.slack is not None:
            _start_on(self.slack, self._ports[2])
            self.settings.slack = SlackSettings(bot_token=SecretStr(SLACK_TOKEN),
                                                signing_secret=SecretStr(SLACK_SECRET),
                                                base_url=self.slack.url + "/api/")
        self.settings.connections[JIRA] = ConnectionSettings(
            kind="jira", url=self.jira.url, user=BOT_EMAIL, token=SecretStr(JIRA_BOT_TOKEN),
            webhook_secret=SecretStr(WEBHOOK_SECRET), bot_identity=BOT_ID)
        self.settings.connections[GITHUB] = ConnectionSettings(
            kind="github", url=self.github.api_url, token=SecretStr(BOT_TOKEN),
            webhook_secret=SecretStr(WEBHOOK_SECRET), bot_identity=BOT_LOGIN, seconds_between_writes=0.0)
        engine = make_engine(self.settings.database_url)
        factory = make_session_factory(engine)
        with transaction(factory) as session:
            self.people.sync(session)
            self._slack_channels(session)
            cleared = self._targets(session)
        self._engine = engine  # kept for the people poll; disposed on stop
        threading.Thread(target=self.people.follow, args=(read_only_factory(factory), self._stop),
                         name="sandbox-people", daemon=True).start()
        threading.Thread(target=self._run_worker, name="sandbox-worker", daemon=True).start()
        lines = [f"Sandbox Jira:   {self.jira.url} (projects CX, OPS; bot {BOT_EMAIL})",
                 f"Sandbox GitHub: {self.github.api_url} (repos brightdesk/product, brightdesk/docs)",
                 "Sandbox worker: running in this process (pushes tickets, applies webhooks)"]
        if self.slack is not None:
            lines.append(f"Sandbox Slack:  {self.slack.url}/sandbox (each person's DMs; buttons and "
                         "/tracker commands reach this API, signed)")
        else:
            lines.append("Slack:          using the configured Slack app")
        if cleared:
            lines.append(f"(the emulators start empty: {cleared} ticket links from an earlier run were cleared)")
        return lines

    def stop(self) -> None:
        self._stop.set()
        if self._engine is not None:
            self._engine.dispose()
        self.jira.stop()
        self.github.stop()
        if self.slack is not None:
            self.slack.stop()

    def _run_worker(self) -> None:
        from tracker.worker.main import run_worker

        run_worker(self.settings, self._stop, worker_id="sandbox")

    def _slack_channels(self, session: Session) -> None:
        """Each team's channel exists with the bot in it (people are users through `self.people`)."""
        if self.slack is None:
            return
        members = [p.slack_user_id for p in session.scalars(select(Person).order_by(Person.id)) if p.slack_user_id]
        for team in session.scalars(select(Team).order_by(Team.id)):
            if team.slack_channel:
                self.slack.add_channel(team.slack_channel, members=members)

    def _targets(self, session: Session) -> int:
        """Point demo teams at the sandbox; links to tickets of an earlier run are gone with it."""
        targets = {t.name: t for t in session.scalars(select(TicketTarget))}
        cleared = 0
        sandbox_ids = [t.id for t in targets.values() if t.connection in (JIRA, GITHUB)]
        if sandbox_ids:
            result: Any = session.execute(delete(TicketLink).where(TicketLink.target_id.in_(sandbox_ids)))
            cleared = result.rowcount or 0
            for target in targets.values():
                if target.id in sandbox_ids:
                    target.watermark = None
        for team in session.scalars(select(Team)):
            if team.name not in TEAM_TARGETS or team.ticket_target_id is not None:
                continue
            kind, project = TEAM_TARGETS[team.name]
            name = f"Sandbox {kind.value} {project}"
            found = targets.get(name)
            if found is not None:
                target = found
                if not target.mapping and project in TARGET_MAPPINGS:  # made by an older sandbox
                    target.mapping = dict(TARGET_MAPPINGS[project])
            else:
                target = TicketTarget(name=name, kind=kind, connection=JIRA if kind is TargetKind.jira else GITHUB,
                                      project=project, mapping=dict(TARGET_MAPPINGS.get(project, {})))
                session.add(target)
                session.flush()
                targets[name] = target
            team.ticket_target_id = target.id
        return cleared


def _start_on(emulator: JiraEmulator | GitHubEmulator | SlackEmulator, port: int) -> None:
    """The usual port when free (bookmarkable), any free port otherwise."""
    try:
        emulator.start(port)
    except OSError:
        log.warning("port %s is taken; the emulator takes a free one", port)
        emulator.start(0)
