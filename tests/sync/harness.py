"""One face for both vendors in sync tests: an emulator, its connection, and a human at its UI."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from integrations.github import emulator as gh
from integrations.github.client import GitHubTickets
from integrations.github.errors import default_retry
from integrations.jira import emulator as jira
from integrations.jira.client import JiraTickets
from tracker.config import ConnectionSettings
from tracker.sync.ports import Connection, TargetSpec, TicketSystem

WEBHOOK_SECRET = "webhook-secret-for-tests"


class WebhookSink:
    """A loopback receiver that keeps what the emulators deliver, to replay into the app."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - stdlib name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                sink.received.append(({k: v for k, v in self.headers.items()}, body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def take(self) -> list[tuple[dict[str, str], bytes]]:
        taken, self.received = self.received, []
        return taken

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Vendor:
    kind: str
    emulator: Any
    project: str
    connection_name: str
    owner_identity: str  # the vendor identity of the action items' owner
    other_identity: str  # another known person
    human: str  # who acts in the vendor's UI
    extra: dict[str, Any] = field(default_factory=dict)

    # -- configuration -------------------------------------------------------------------------
    def connection_settings(self) -> ConnectionSettings:
        if self.kind == "jira":
            return ConnectionSettings(kind="jira", url=self.emulator.url, user=jira.BOT_EMAIL, token=jira.BOT_TOKEN,
                                      webhook_secret=WEBHOOK_SECRET, bot_identity=jira.BOT_ID)
        return ConnectionSettings(kind="github", url=self.emulator.api_url, token=gh.BOT_TOKEN,
                                  webhook_secret=WEBHOOK_SECRET, bot_identity=gh.BOT_LOGIN)

    def drain(self) -> None:
        if self.kind == "jira":
            self.emulator.webhooks.drain(5)
        else:
            self.emulator.drain_webhooks(5)

    # -- reading the vendor's state ------------------------------------------------------------
    def tickets(self) -> list[dict[str, Any]]:
        if self.kind == "jira":
            return [self._jira(r) for r in self.emulator.issues(self.project)]
        return [self._github(i) for i in self.emulator.issues(self.project)]

    def ticket(self, key: str) -> dict[str, Any]:
        if self.kind == "jira":
            return self._jira(self.emulator.issue(key))
        return self._github(self.emulator.issue(self.project, int(key)))

    @staticmethod
    def _jira(record: Any) -> dict[str, Any]:
        return {"key": record.key, "title": record.summary, "status": record.status.name,
                "assignee": record.assignee, "due": record.duedate, "labels": list(record.labels),
                "body": record.description or "", "priority": record.priority.name}

    @staticmethod
    def _github(issue: Any) -> dict[str, Any]:
        data = issue if isinstance(issue, dict) else issue.__dict__
        labels = [getattr(label, "name", label) for label in data.get("labels", [])]
        milestone = data.get("milestone")
        due = getattr(milestone, "due_on", None) if milestone is not None else None
        if isinstance(due, str):
            due = date.fromisoformat(due[:10])
        elif due is not None and hasattr(due, "date"):
            due = due.date()
        assignees = [getattr(a, "login", a) for a in data.get("assignees", [])]
        return {"key": str(data.get("number")), "title": data.get("title"),
                "status": data.get("state") + (f":{data.get('state_reason')}" if data.get("state_reason") else ""),
                "assignee": assignees[0] if assignees else None, "due": due, "labels": labels,
                "body": data.get("body") or "", "priority": next((n for n in labels if n.startswith("priority")), None)}

    # -- a person working in the vendor's UI ---------------------------------------------------
    def close(self, key: str) -> None:
        if self.kind == "jira":
            self.emulator.human(self.human).transition(key, "Done")
        else:
            self.emulator.close_issue(self.project, int(key), self.human)

    def reopen(self, key: str) -> None:
        if self.kind == "jira":
            self.emulator.human(self.human).transition(key, "In Progress")
        else:
            self.emulator.reopen_issue(self.project, int(key), self.human)

    def retitle(self, key: str, title: str) -> None:
        if self.kind == "jira":
            self.emulator.human(self.human).set_summary(key, title)
        else:
            self.emulator.edit_issue(self.project, int(key), self.human, title=title)

    def assign(self, key: str, identity: str) -> None:
        if self.kind == "jira":
            self.emulator.human(self.human).assign(key, identity)
        else:
            issue = self.emulator.issue(self.project, int(key))
            current = [getattr(a, "login", a) for a in issue.assignees]
            if current:
                self.emulator.unassign(self.project, int(key), self.human, *current)
            self.emulator.assign(self.project, int(key), self.human, identity)

    def delete(self, key: str) -> None:
        if self.kind == "jira":
            self.emulator.delete_issue(key)
        else:
            self.emulator.delete_issue(self.project, int(key))


def make_vendor(kind: str) -> Vendor:
    if kind == "jira":
        emulator = jira.JiraEmulator().start()
        return Vendor("jira", emulator, "CX", "acme_jira", owner_identity=jira.BOB_ID,
                      other_identity=jira.ALICE_ID, human=jira.ALICE_EMAIL)
    emulator = gh.GitHubEmulator(users=("octocat", "bob-gh", "alice-gh")).start()
    return Vendor("github", emulator, gh.DEFAULT_REPO, "acme_github", owner_identity="bob-gh",
                  other_identity="alice-gh", human="octocat")


def fast_factory(target: TargetSpec, connection: Connection) -> TicketSystem:
    """Adapters tuned for tests: no pacing, tiny retry waits (production uses the defaults)."""
    if target.kind == "jira":
        return JiraTickets(target, connection, timeout=3.0, max_retries=1, max_retry_delay=0.05)
    retry = default_retry(total=2, backoff_factor=0.01, secondary_rate_wait=0.05, max_rate_limit_wait=2)
    return GitHubTickets(target, connection, timeout=3, seconds_between_requests=0, seconds_between_writes=0,
                         retry=retry)


def signed_body(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload).encode()
