"""The README's pictures, taken from the demo programme as `make run` shows it.

    python -m tests.web.browser.pictures [docs/pictures]

Starts the app on a fresh demo database (as the browser tests do, without the test data they
add), signs in as the demo lead, and saves the journey map, the action board and the moments
matrix as PNG files.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from tests.web.browser.conftest import CHROMIUM, CHROMIUM_ARGS, running_server, sign_in

WIDTH = 1280


def _journey_map(page: Page, out: Path) -> None:
    page.goto("/app/journey-maps")
    page.locator("main a[href^='/app/journey-maps/']").first.click()
    page.wait_for_load_state()
    page.screenshot(path=str(out / "journey-map.png"), clip={"x": 0, "y": 0, "width": WIDTH, "height": 1400},
                    full_page=True)


def _board(page: Page, out: Path) -> None:
    page.goto("/app/board")
    page.screenshot(path=str(out / "board.png"), full_page=True)


def _moments_matrix(page: Page, out: Path) -> None:
    page.goto("/app/moments")
    chart = page.locator("svg[role=img]").last.locator("xpath=ancestor::section[1]")
    chart.screenshot(path=str(out / "moments-matrix.png"))


def take(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, running_server(Path(tmp)) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_context(base_url=server.url, viewport={"width": WIDTH, "height": 900}).new_page()
        page.goto("/")
        sign_in(page, server.emails["lead"])
        for picture in (_journey_map, _board, _moments_matrix):
            picture(page, out)
        browser.close()
    return sorted(out.glob("*.png"))


if __name__ == "__main__":
    for path in take(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/pictures")):
        print(path)
