"""Browser tests: the real app in a uvicorn subprocess on a free port, against a migrated
throwaway SQLite database holding the demo programme, driven by Playwright through Debian's
Chromium (launched by path: `playwright install` is never used).

Every page a test opens is watched: a request to another origin, or a console error (a CSP
violation is one), fails the test.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from sqlalchemy import select

from tracker.actions.models import ActionItem, Phase
from tracker.auth.passwords import set_password
from tracker.db import make_engine, make_session_factory, transaction
from tracker.demo import load_demo
from tracker.demo import people as demo_people
from tracker.migrations import upgrade
from tracker.people.service import find_by_email

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
PASSWORD = "browser test password"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
AXE = Path(__file__).resolve().parent.parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
WIDTHS = {"desktop": 1280, "phone": 390}


@dataclass
class Server:
    url: str
    database_url: str
    emails: dict[str, str]  # role -> the demo sign-in's e-mail
    items: dict[str, int] = field(default_factory=dict)  # purpose -> action item id


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _seed(database_url: str) -> tuple[dict[str, str], dict[str, int]]:
    upgrade(database_url)
    engine = make_engine(database_url)
    emails = {row["key"]: row["email"] for row in demo_people.PEOPLE}
    with transaction(make_session_factory(engine)) as session:
        load_demo(session)
        by_role = {}
        for role, key in demo_people.LOGINS:
            set_password(session, person=find_by_email(session, emails[key]), password=PASSWORD)  # type: ignore[arg-type]
            by_role[role] = emails[key]
        owner = find_by_email(session, by_role["owner"])
        assert owner is not None
        ids = list(session.scalars(select(ActionItem.id).where(
            ActionItem.owner_id == owner.id, ActionItem.phase.in_([Phase.planned, Phase.implementing]))
            .order_by(ActionItem.id)))
        other = session.scalar(select(ActionItem.id).where(ActionItem.id.not_in(ids)).order_by(ActionItem.id))
    engine.dispose()
    assert len(ids) >= 2 and other, "the demo should give its owner two items to move, and have others"
    return by_role, {"move": ids[0], "stale": ids[1], "deep_link": other}


@contextmanager
def uvicorn_app(database_url: str, tmp: Path, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """The app in a uvicorn subprocess on a free port, configured by TRACKER_* environment only
    (as production is); yields its URL, and stops it by its pid."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "TRACKER_DATABASE_URL": database_url, "TRACKER_BASE_URL": url, **(extra_env or {})}
    log = (tmp / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "tracker.app:create_app", "--factory",
                             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                            env=env, cwd=tmp, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start: {(tmp / 'server.log').read_text()}")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()  # by its pid: nothing else is touched
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@contextmanager
def running_server(tmp: Path) -> Iterator[Server]:
    """The app on a fresh database holding the demo."""
    database_url = f"sqlite:///{tmp / 'browser.db'}"
    emails, items = _seed(database_url)
    with uvicorn_app(database_url, tmp) as url:
        yield Server(url=url, database_url=database_url, emails=emails, items=items)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("browser")) as started:
        yield started


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def chromium(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: run `make test` (it installs it), or as root: "
                    "apt-get update && apt-get install -y chromium")
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


class Watch:
    """Requests to other origins and console errors seen by a context's pages."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.foreign: list[str] = []
        self.errors: list[str] = []

    def attach(self, page: Page) -> None:
        page.on("request", lambda r: None if r.url.startswith((self.origin, "data:", "blob:"))
                else self.foreign.append(r.url))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))


@pytest.fixture
def new_context(chromium: Browser, server: Server) -> Iterator[object]:
    """Makes browser contexts (separate cookie jars) whose pages are watched."""
    contexts: list[tuple[BrowserContext, Watch]] = []

    def make() -> BrowserContext:
        context = chromium.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
        watch = Watch(server.url)
        context.on("page", watch.attach)
        contexts.append((context, watch))
        return context

    yield make
    for context, watch in contexts:
        context.close()
        assert not watch.foreign, f"requests left the origin: {watch.foreign}"
        # A refused form answers 403/409/422 on purpose; the browser logs those as errors.
        real = [e for e in watch.errors if "status of 4" not in e]
        assert not real, f"console errors (CSP violations among them): {real}"


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.click("button[type=submit]:has-text('Sign in')")
    page.wait_for_load_state()


def axe_violations(page: Page) -> list[dict[str, object]]:
    """Serious and critical axe-core violations. Injected through the devtools protocol, which
    the page's CSP does not govern (an inline <script> would be refused, as it should be)."""
    page.evaluate(AXE.read_text(encoding="utf-8") + ";0")
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result if v["impact"] in ("serious", "critical")]


def screenshots(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
