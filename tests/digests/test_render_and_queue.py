"""The digest as Markdown and HTML (escaped), over HTTP, and queued for Slack at most once."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests import factories
from tests.digests.test_builder import TODAY, week  # noqa: F401 - the seeded-week fixture
from tests.factories.digests import item
from tests.factories.nudges import at
from tracker.actions.models import Phase
from tracker.digests.builder import build_digest
from tracker.digests.models import DigestDelivery, DigestState
from tracker.digests.render import to_html, to_markdown
from tracker.digests.service import due_digests, queue_digest
from tracker.outbox.models import OutboxMessage
from tracker.people.models import Role

NASTY = '<script>alert("x")</script> & [link](http://evil) *bold*'


def test_markdown_and_html(session: Session, week: dict[str, Any]) -> None:  # noqa: F811
    owner = factories.person(session, Role.owner, name="O'Neil <admin>")
    item(session, week["team"], owner, NASTY, Phase.done, date(2026, 12, 1), completed_at=at(date(2026, 11, 19), 10))
    report = build_digest(session, scope=f"team:{week['team'].id}", week="2026-W47", today=TODAY)
    md = to_markdown(report)
    assert md.startswith("# Billing Operations: week 2026-W47\n\n*16-22 Nov 2026*\n")
    assert "## Completed\n\n- Rewrite refund FAQ (Ben Okafor)\n" in md
    assert "## Broken ticket links\n\n- Fix VAT line (BILL-9): the project was archived\n" in md
    assert r"\<script\>" in md and r"\[link\](http://evil) \*bold\*" in md and "O'Neil \\<admin\\>" in md
    page = to_html(report)
    assert "<script>" not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;" in page
    assert "<h2>Completed</h2><ul><li>Rewrite refund FAQ (Ben Okafor)</li>" in page.replace("\n", "")
    assert "O&#x27;Neil &lt;admin&gt;" in page
    empty = build_digest(session, scope=f"team:{week['other'].id}", week="2026-W47", today=TODAY)
    assert "## Training\n\n_Nothing this week._" in to_markdown(empty)
    assert '<p class="empty">Nothing this week.</p>' in to_html(empty)


def test_digest_endpoint(client: TestClient, session: Session, week: dict[str, Any]) -> None:  # noqa: F811
    _, headers = factories.user(session, Role.viewer)
    client.app.state.today = lambda: TODAY  # type: ignore[attr-defined]
    url = f"/digests/team-{week['team'].id}"
    r = client.get(url, headers=headers, params={"week": "2026-W47"})
    assert r.status_code == 200, r.text
    expected = build_digest(session, scope=f"team:{week['team'].id}", week="2026-W47", today=TODAY)
    assert r.json()["title"] == expected.title and r.json()["totals"] == expected.totals
    assert r.json()["sections"][1] == {"title": "Completed", "lines": expected.sections[1].lines,
                                       "empty_text": "Nothing this week."}
    r = client.get(url, headers=headers, params={"week": "2026-W47", "format": "markdown"})
    assert r.headers["content-type"].startswith("text/markdown") and r.text == to_markdown(expected)
    r = client.get(url, headers=headers, params={"week": "2026-W47", "format": "html"})
    assert r.headers["content-type"].startswith("text/html") and r.text == to_html(expected)
    assert client.get("/digests/programme", headers=headers).json()["week"] == "2026-W48"  # today's week
    for bad_url, params, field in ((url, {"week": "2026-13"}, "week"), (url, {"week": "2026-W60"}, "week"),
                                   ("/digests/teams-1", {}, "scope"), (url, {"format": "pdf"}, "format")):
        r = client.get(bad_url, headers=headers, params=params)
        assert r.status_code == 422 and r.json()["error"]["field"] == field, (bad_url, params, r.text)
    assert client.get("/digests/team-999999", headers=headers).status_code == 404
    assert client.get(url).status_code == 401


def test_queue_digest_twice_queues_once(session: Session, week: dict[str, Any]) -> None:  # noqa: F811
    scope = f"team:{week['team'].id}"
    first = queue_digest(session, scope=scope, week="2026-W47")
    assert first is not None and (first.state, first.channel, first.team_id) == (
        DigestState.pending, "#billing", week["team"].id)
    assert queue_digest(session, scope=scope, week="2026-W47") is None
    assert queue_digest(session, scope="programme", week="2026-W47") is not None
    messages = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "slack.digest")).all()
    assert sorted(m.payload["delivery_id"] for m in messages) == sorted(
        session.scalars(select(DigestDelivery.id)).all())
    assert len(messages) == 2


def test_due_digests_on_monday_morning_local_time(session: Session, week: dict[str, Any]) -> None:  # noqa: F811
    factories.team(session, name="No channel", timezone="Europe/Berlin")  # skipped: nowhere to post
    monday = date(2026, 11, 23)

    def count() -> int:
        return session.scalar(select(func.count()).select_from(DigestDelivery)) or 0

    assert due_digests(session, at(monday, 8, "Europe/Berlin", 59)) == 0
    assert due_digests(session, at(monday, 9, "Europe/Berlin", 5)) == 1  # 08:05 UTC: programme not yet
    assert due_digests(session, at(monday, 9, "Europe/Berlin", 20)) == 0
    assert due_digests(session, at(monday, 9, "UTC", 0)) == 1  # the programme, at 09:00 UTC
    assert due_digests(session, at(monday, 23, "Europe/Berlin", 30)) == 0
    assert due_digests(session, at(date(2026, 11, 24), 9, "Europe/Berlin")) == 0  # Tuesday
    rows = session.execute(select(DigestDelivery.scope, DigestDelivery.week)).all()
    assert sorted(rows) == sorted([(f"team:{week['team'].id}", "2026-W47"), ("programme", "2026-W47")])
    assert count() == 2
