"""One face for both vendors in counting tests: an emulator seeded with issues created on given
days, the connection that reaches it, and the number of count calls it answered."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from integrations.emulation import Fault, FaultPlan
from integrations.github import emulator as gh
from integrations.jira import emulator as jira
from tracker.config import ConnectionSettings
from tracker.metrics.models import SourceKind

# Wednesday noon of next week (the outbox stamps messages with the real time, so the worker's
# clock must not be behind it): that week is still open; the 12 before it are closed.
_TODAY = datetime.now(UTC).date()
CURRENT_WEEK = _TODAY - timedelta(days=_TODAY.weekday()) + timedelta(weeks=1)
NOW = datetime.combine(CURRENT_WEEK + timedelta(days=2), datetime.min.time(), UTC) + timedelta(hours=12)
WEEKS = [CURRENT_WEEK - timedelta(weeks=n) for n in range(12, 0, -1)]  # oldest first


def expected(week: date) -> int:
    """How many matching issues the seed puts in a week (varied, and 0 for one week)."""
    return (week.toordinal() // 7) % 5


class Clock:
    """The worker's clock, moved by the test."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


class AfterN(FaultPlan):
    """Queued faults that start after `n` matching requests went through."""

    def __init__(self, n: int, faults: list[Fault], path_pattern: str) -> None:
        super().__init__(queued=list(faults), path_pattern=path_pattern)
        self.passed = n

    def pick(self, method: str, path: str) -> Fault | None:
        if self.path_pattern and self.path_pattern not in path:
            return None
        if self.passed > 0:
            self.passed -= 1
            return None
        return super().pick(method, path)


@dataclass
class Counted:
    kind: str
    emulator: Any
    source_kind: SourceKind
    query: str
    connection_name: str

    def connection_settings(self) -> ConnectionSettings:
        if self.kind == "jira":
            return ConnectionSettings(kind="jira", url=self.emulator.url, user=jira.BOT_EMAIL,
                                      token=jira.BOT_TOKEN, max_retry_delay=0.05)
        return ConnectionSettings(kind="github", url=self.emulator.api_url, token=gh.BOT_TOKEN,
                                  seconds_between_requests=0, max_retry_delay=0.05)

    @property
    def count_path(self) -> str:
        return "search/approximate-count" if self.kind == "jira" else "/search/issues"

    def count_calls(self) -> int:
        """Count requests the vendor answered (injected faults never reach the handler)."""
        if self.kind == "jira":
            return int(self.emulator.call_count("POST", "/search/approximate-count"))
        return int(self.emulator.call_count("GET", "/search/issues"))

    def inject_after(self, n: int, faults: list[Fault]) -> AfterN:
        plan = AfterN(n, faults, self.count_path)
        self.emulator.faults = plan
        return plan

    def seed(self, week: date, matching: int, *, other: int = 1) -> None:
        """`matching` issues created on spread days of the week, plus `other` that do not match."""
        for n in range(matching + other):
            created = datetime.combine(week + timedelta(days=n % 7), datetime.min.time(), UTC) \
                + timedelta(hours=1 + n % 22)
            label = "invoice-vat" if n < matching else "other"
            if self.kind == "jira":
                client = self._jira_client()
                key = client.create_issue(fields={
                    "project": {"key": "SUP"}, "issuetype": {"name": "Task"},
                    "summary": f"Invoice question {n}", "labels": [label]}, prefetch=False).key
                record = self.emulator.issue(key)
                record.created = record.updated = created
            else:
                number = self.emulator.open_issue("acme/billing", f"Invoice question {n}", "customer",
                                                  labels=[label])
                issue = self.emulator.issue("acme/billing", number)
                issue.created_at = issue.updated_at = created

    def _jira_client(self) -> Any:
        client = getattr(self, "_client", None)
        if client is None:
            client = self._client = self.emulator.client()
        return client


def make(kind: str) -> Counted:
    if kind == "jira":
        # Its clock ahead of the seeded days: the count reads only what the index shows by then.
        emu = jira.JiraEmulator(clock=jira.ManualClock(NOW + timedelta(days=30))).start()
        emu.add_project("SUP", "Support")
        return Counted("jira", emu, SourceKind.jira_count,
                       "project = SUP AND labels = invoice-vat ORDER BY created DESC", "jira-sup")
    emu = gh.GitHubEmulator(repos=["acme/billing"], users=["customer"], time_scale=60).start()
    return Counted("github", emu, SourceKind.github_count,
                   "repo:acme/billing label:invoice-vat is:issue", "github-acme")


def seeded(kind: str) -> Iterator[Counted]:
    vendor = make(kind)
    try:
        for week in [WEEKS[0] - timedelta(weeks=1), *WEEKS, CURRENT_WEEK]:
            vendor.seed(week, expected(week))
        vendor.emulator.reset_calls() if kind == "jira" else vendor.emulator.reset_counters()
        yield vendor
    finally:
        vendor.emulator.stop()
