"""One hostile corpus (tests/hostile.py) through every output a person sees that the other
tests do not already cover: the web pages (HTML), the board's CSV and the Slack nudge (mrkdwn).

Each hostile string becomes the text of every field that reaches those outputs (item title,
moment, friction point, step, customer and person names); each output must show it as text.
"""

from __future__ import annotations

import csv
import html
import io
import json
from typing import Any

import pytest
from sqlalchemy.orm import Session

from integrations.slack import message_blocks
from tests.factories.programme import build_world
from tests.hostile import HOSTILE
from tests.web.conftest import Browser
from tracker.nudges.messages import build_message
from tracker.web.csv_cells import FORMULA_START

SPECIAL = ("<", ">", "&")


def _plant(session: Session, text: str) -> dict[str, Any]:
    world = build_world(session)
    world["item"].title = f"item {text}"
    world["moment"].title = f"moment {text}"
    world["friction"].title = f"friction {text}"
    world["step"].name = f"step {text}"
    world["entry"].customer_name = f"customer {text}"
    world["owner"].name = f"owner {text}"
    session.commit()
    return world


def _mrkdwn_texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["text"]] if node.get("type") == "mrkdwn" else []
        return found + [t for v in node.values() for t in _mrkdwn_texts(v)]
    if isinstance(node, list):
        return [t for v in node for t in _mrkdwn_texts(v)]
    return []


@pytest.mark.parametrize("text", HOSTILE)
def test_pages_show_hostile_text_as_text(browser: Browser, session: Session, text: str) -> None:
    world = _plant(session, text)
    browser.sign_in_as(world["lead"])
    pages = {
        "item": f"/app/action-items/{world['item'].id}",
        "board": "/app/board",
        "board table": "/app/board?view=table",
        "moment": f"/app/moments/{world['moment'].id}",
        "moments": "/app/moments",
        "journey map": f"/app/journey-maps/{world['journey'].id}",
    }
    for name, url in pages.items():
        page = browser.get(url)
        assert page.status_code == 200, (name, page.status_code)
        if any(c in text for c in SPECIAL):
            assert text not in page.text, f"{name}: the text was written into the page unescaped"
        assert text in html.unescape(page.text), f"{name}: the text is not shown"
    browser.sign_in_as(world["owner"])
    mine = browser.get("/app/my-work")
    assert mine.status_code == 200
    if any(c in text for c in SPECIAL):
        assert text not in mine.text


@pytest.mark.parametrize("text", HOSTILE)
def test_board_csv_keeps_hostile_text_as_inert_text(browser: Browser, session: Session, text: str) -> None:
    world = _plant(session, text)
    world["item"].title = text  # the cell starts with the hostile text itself
    session.commit()
    browser.sign_in_as(world["lead"])
    reply = browser.get("/app/board.csv")
    assert reply.status_code == 200
    rows = list(csv.DictReader(io.StringIO(reply.text)))
    [row] = [r for r in rows if r["id"] == str(world["item"].id)]
    expected = "'" + text if text.startswith(FORMULA_START) else text
    assert row["title"] == expected  # one cell, whatever its newlines and quotes
    assert row["owner"] == f"owner {text}"


@pytest.mark.parametrize("text", HOSTILE)
def test_slack_nudge_escapes_hostile_text(session: Session, text: str) -> None:
    world = _plant(session, text)
    message = build_message(session, item_id=world["item"].id, kind="overdue", base_url="http://tracker.test")
    blocks = message_blocks.nudge_blocks(message)
    shown = " ".join(_mrkdwn_texts(blocks))
    for field in (f"item {text}", f"moment {text}"):
        assert message_blocks.escape(field) in shown, f"{field!r} is not shown escaped"
        if any(c in text for c in SPECIAL):
            assert field not in shown, f"{field!r} reached Slack's mrkdwn unescaped"
    # Only the tracker's own links remain as Slack markup: no forged mention or link survives.
    assert "<!channel>" not in json.dumps(blocks) and "<@U0ADMIN>" not in shown
    assert "<https://evil.test" not in shown
