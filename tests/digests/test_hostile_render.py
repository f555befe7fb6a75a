"""The hostile corpus through the digest renderers and the Slack message builders."""

from __future__ import annotations

import re

import pytest

from integrations.slack import message_blocks
from tests.hostile import HOSTILE
from tracker.digests.render import to_html, to_markdown
from tracker.messaging.ports import DigestReport, DigestSection


def _report(text: str) -> DigestReport:
    return DigestReport(title=text, scope="programme", week="2026-W47", period=text, headline=text,
                        sections=(DigestSection(title=text, lines=(text, text), empty_text=text),
                                  DigestSection(title=text, lines=(), empty_text=text)))


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_writes_no_heading_bullet_or_link_of_the_callers(text: str) -> None:
    out = to_markdown(_report(text))
    structure = [line for line in out.splitlines() if line.startswith(("#", "-", "*", "_"))]
    # Only the renderer's own lines: one title, two section headings, bullets, the period/empty.
    assert len([s for s in structure if s.startswith("# ")]) == 1
    assert len([s for s in structure if s.startswith("## ")]) == 2
    assert len([s for s in structure if s.startswith("- ")]) == 2
    assert "Forged heading\n" not in out and "\n# Forged" not in out and "\n- forged" not in out
    assert not re.search(r"(?<!\\)[<\[]", out.replace("# ", "").replace("## ", ""))


@pytest.mark.parametrize("text", HOSTILE)
def test_html_escapes_every_text(text: str) -> None:
    out = to_html(_report(text))
    for needle in ("<script", "<svg", "<img", "onerror=\"", "<!channel>", "<https"):
        assert needle not in out


@pytest.mark.parametrize("text", HOSTILE)
def test_slack_mrkdwn_and_fallback_texts_escape_control_characters(text: str) -> None:
    report = _report(text)
    shown = [message_blocks.digest_text(report)]
    for block in message_blocks.digest_blocks(report):
        if isinstance(block.get("text"), dict) and block["text"]["type"] == "mrkdwn":
            shown.append(block["text"]["text"])
        shown += [e["text"] for e in block.get("elements", []) if e.get("type") == "mrkdwn"]
    for s in shown:
        assert "<!channel>" not in s and "<https://evil" not in s and "<script" not in s
        assert not re.search(r"&(?!amp;|lt;|gt;)", s)
