"""The three bursts of bench/burst.py and what they record: API clients making versioned writes
and reads, signed Jira/GitHub webhooks at a fixed rate, concurrent signed Slack button clicks;
plus the floor, a bare route polled by one extra client while a burst runs.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from bench.burst_world import SLACK_SECRET, TOKEN, WEBHOOK_SECRET
from integrations.github import emulator as gh
from integrations.jira import emulator as jira
from integrations.slack.emulator import SlackEmulator
from integrations.slack.interactivity import find_element
from integrations.slack.signing import signed_headers
from tests.sync.fleet import GITHUB_CONNECTION, GITHUB_REPO, JIRA_CONNECTION, JIRA_PROJECT

CLOSED_OR_REASONED = {"blocked", "cancelled"}  # phase moves that need a reason: not in the mix


@dataclass
class Stats:
    """Latencies and outcomes of one kind of request."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    non_json_errors: int = 0
    failures: list[str] = field(default_factory=list)  # 5xx, transport errors, non-JSON errors
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, started: float, response: httpx.Response | None, error: str | None = None) -> None:
        elapsed = time.perf_counter() - started
        with self.lock:
            self.latencies.append(elapsed)
            if response is None:
                self.statuses[0] += 1
                self.failures.append(error or "no response")
                return
            self.statuses[response.status_code] += 1
            if response.status_code >= 400 and not _our_error(response):
                self.non_json_errors += 1
                self.failures.append(f"{response.status_code} not our shape: {response.text[:160]}")
            elif response.status_code >= 500:
                self.failures.append(f"{response.status_code}: {response.text[:160]}")

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000 if ordered else float("nan")

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    @property
    def no_answer(self) -> int:
        """Timed out (at the vendor's deadline for webhooks and clicks) or the connection failed."""
        return self.statuses[0]


def _our_error(response: httpx.Response) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and isinstance(body.get("error"), dict)


def timed(stats: Stats, send: Callable[[], httpx.Response]) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        response = send()
    except httpx.HTTPError as exc:
        stats.record(started, None, f"{type(exc).__name__}: {exc}")
        return None
    stats.record(started, response)
    return response


@contextmanager
def floor(base: str) -> Iterator[Stats]:
    """One extra client polling GET /healthz (no token, no database) for as long as the burst runs."""
    stats, stop = Stats(), threading.Event()

    def poll() -> None:
        with httpx.Client(base_url=base, timeout=30) as http:
            while not stop.is_set():
                timed(stats, lambda: http.get("/healthz"))
                stop.wait(0.02)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield stats
    finally:
        stop.set()
        thread.join()


# -- scenario 1: API clients ----------------------------------------------------------------------
def clients(apis: list[str], items: list[int], *, count: int, seconds: float) -> dict[str, Stats]:
    """`count` clients for `seconds`: half reads, half writes (a fresh GET, then a PATCH of the
    title or a phase move, each with If-Match). Clients spread over the API processes."""
    stats = {"read": Stats(), "write": Stats()}
    headers = {"Authorization": f"Bearer {TOKEN}"}
    deadline = time.monotonic() + seconds

    def client(n: int) -> None:
        rng = random.Random(n)
        with httpx.Client(base_url=apis[n % len(apis)], headers=headers, timeout=60) as http:
            while time.monotonic() < deadline:
                item = rng.choice(items)
                if rng.random() < 0.5:
                    if rng.random() < 0.7:
                        timed(stats["read"], lambda i=item: http.get(f"/action-items/{i}"))
                    else:
                        timed(stats["read"], lambda: http.get("/action-items", params={"limit": 50}))
                    continue
                current = timed(stats["read"], lambda i=item: http.get(f"/action-items/{i}"))
                if current is None or current.status_code != 200:
                    continue
                etag = {"If-Match": current.headers["ETag"]}
                moves = [p for p in current.json()["allowed_next"] if p not in CLOSED_OR_REASONED]
                if moves and rng.random() < 0.4:
                    to = rng.choice(moves)
                    timed(stats["write"], lambda i=item, to=to, h=etag: http.post(
                        f"/action-items/{i}/phase", json={"to": to}, headers=h))
                else:
                    title = f"Fix the VAT line, take {rng.randrange(10**6)}"
                    timed(stats["write"], lambda i=item, t=title, h=etag: http.patch(
                        f"/action-items/{i}", json={"title": t}, headers=h))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return stats


# -- scenario 2: webhooks -------------------------------------------------------------------------
def jira_delivery(key: str) -> tuple[str, bytes, dict[str, str]]:
    body = json.dumps({
        "timestamp": int(time.time() * 1000), "webhookEvent": "jira:issue_updated",
        "issue": {"key": key, "fields": {"project": {"key": JIRA_PROJECT}}},
        "changelog": {"items": [{"field": "summary", "fromString": "", "toString": ""}]},
        "user": {"accountId": jira.ALICE_ID},
    }).encode()
    signature = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return (f"/webhooks/jira/{JIRA_CONNECTION}", body,
            {"Content-Type": "application/json", "X-Hub-Signature": signature,
             "X-Atlassian-Webhook-Identifier": str(uuid.uuid4())})


def github_delivery(number: str) -> tuple[str, bytes, dict[str, str]]:
    body = json.dumps({
        "action": "edited", "issue": {"number": int(number)}, "changes": {"title": {"from": ""}},
        "repository": {"full_name": GITHUB_REPO}, "sender": {"login": "octocat"},
    }).encode()
    signature = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return (f"/webhooks/github/{GITHUB_CONNECTION}", body,
            {"Content-Type": "application/json", "X-GitHub-Event": "issues", "X-Hub-Signature-256": signature,
             "X-GitHub-Delivery": str(uuid.uuid4())})


def webhooks(apis: list[str], keys: dict[str, list[str]], *, count: int, seconds: float,
             senders: int = 128, deadline: float = 10.0) -> tuple[Stats, float]:
    """`count` signed deliveries at an even rate over `seconds` (open loop: each is sent at its
    scheduled time whatever the earlier ones are doing), each abandoned at the vendor's
    `deadline` as GitHub does; returns stats and the worst send lag."""
    rng = random.Random(2)
    planned = []
    for n in range(count):
        if n % 2 == 0:
            planned.append(jira_delivery(rng.choice(keys["jira"])))
        else:
            planned.append(github_delivery(rng.choice(keys["github"])))
    stats, lag, lock = Stats(), [0.0], threading.Lock()
    start = time.monotonic() + 0.2
    cursor = iter(range(count))

    def sender(s: int) -> None:
        with httpx.Client(base_url=apis[s % len(apis)], timeout=deadline) as http:
            while True:
                with lock:
                    n = next(cursor, None)
                if n is None:
                    return
                due = start + n * seconds / count
                time.sleep(max(0.0, due - time.monotonic()))
                with lock:
                    lag[0] = max(lag[0], time.monotonic() - due)
                path, body, headers = planned[n]
                timed(stats, lambda p=path, b=body, h=headers: http.post(p, content=b, headers=h))

    threads = [threading.Thread(target=sender, args=(s,)) for s in range(senders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return stats, lag[0]


def human_edits(emulators: Any, keys: dict[str, list[str]], per_vendor: int) -> None:
    """A person retitles some tickets in each vendor's UI: the webhooks then carry real changes."""
    for key in keys["jira"][:per_vendor]:
        emulators.jira.human(jira.ALICE_EMAIL).set_summary(key, f"{key}: VAT line, retitled in Jira")
    for number in keys["github"][:per_vendor]:
        emulators.github.edit_issue(GITHUB_REPO, int(number), "octocat", title=f"#{number}: retitled in GitHub")
    assert gh.BOT_LOGIN != "octocat"  # the person is not our bot: not an echo


# -- scenario 3: Slack clicks ---------------------------------------------------------------------
def click_bodies(slack: SlackEmulator, user_id: str) -> list[tuple[bytes, dict[str, str]]]:
    """A signed block_actions body per posted nudge: its "advance" button, pressed by the owner."""
    bodies = []
    with slack.lock:
        dm = slack.workspace.dm_for(user_id, create=False)
        messages = [m for m in dm.messages if not m.deleted] if dm else []
        for message in messages:
            block, element = find_element(message, "advance", None)
            payload: dict[str, Any] = slack.interactions.block_actions_payload(dm, message, block, element, user_id)
            body = urlencode({"payload": json.dumps(payload)}).encode()
            bodies.append((body, signed_headers(SLACK_SECRET, body)))
    return bodies


def clicks(apis: list[str], bodies: list[tuple[bytes, dict[str, str]]], *, deadline: float = 3.0) -> Stats:
    """Every click at once: one thread each, released together, abandoned at Slack's deadline."""
    stats = Stats()
    gate = threading.Barrier(len(bodies))
    limits = httpx.Limits(max_connections=len(bodies), max_keepalive_connections=len(bodies))
    https = [httpx.Client(base_url=base, timeout=deadline, limits=limits) for base in apis]

    def click(n: int) -> None:
        body, headers = bodies[n]
        http = https[n % len(https)]
        gate.wait()
        timed(stats, lambda: http.post("/slack/interactivity", content=body, headers=headers))

    threads = [threading.Thread(target=click, args=(n,)) for n in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for http in https:
        http.close()
    return stats
