"""The digest page and its shared read-only links.

The page must say exactly what the digest builder reports for the scope and week (the report
Slack and the API get), with the week and scope pickers and what went to Slack. A lead shares it
as a link that opens signed out, shows nothing else of the tracker, and stops working when it
expires or is revoked; nobody else may make one, whatever the page shows.

The seeded team works in Berlin; the week is 2026-W47 (16-22 November 2026), read on Monday 23rd.
"""

from __future__ import annotations

import html
import logging
import re
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from tests.factories.digests import checklist, item, moved, training
from tests.factories.nudges import at
from tests.hostile import HOSTILE
from tests.web.conftest import HTML, Browser
from tracker.actions.models import NotificationStatus as N
from tracker.actions.models import Phase as P
from tracker.activity.models import ActivityEntry
from tracker.auth.service import hash_token
from tracker.digests.builder import build_digest
from tracker.digests.models import DigestDelivery, DigestShareLink, DigestState
from tracker.messaging.ports import DigestReport
from tracker.people.models import Role
from tracker.types import utcnow
from tracker.web.access_log import ACCESS_LOGGER, install_redaction, redact

BERLIN = "Europe/Berlin"
TODAY = date(2026, 11, 23)
WEEK = "2026-W47"
_SECTION = re.compile(r'<h2 id="section-\d+-title">(.*?)</h2>(.*?)</section>', re.S)
_LINE = re.compile(r"<li>(.*?)</li>", re.S)
_SHARED = re.compile(r'value="(http://tracker\.test/shared/digests/([A-Za-z0-9_-]+))"')


@pytest.fixture
def today(app: FastAPI) -> date:
    app.state.today = lambda: TODAY
    return TODAY


def _seed(session: Session, *, title: str = "Fix VAT line", person: str = "Ana Ruiz",
          team_name: str = "Billing Operations") -> dict[str, Any]:
    lead = factories.person(session, Role.lead, name="Maya Lead")
    ana = factories.person(session, Role.owner, name=person)
    ben = factories.person(session, Role.owner, name="Ben Okafor")
    team = factories.team(session, name=team_name, timezone=BERLIN, slack_channel="#billing")
    vat = item(session, team, ana, title, P.training, date(2026, 12, 31))
    moved(session, vat, P.implementing, P.training, at(date(2026, 11, 17), 10, BERLIN))
    training(session, vat, trained=4, target=10, sessions=1)
    faq = item(session, team, ben, "Rewrite refund FAQ", P.done, date(2026, 11, 19),
               completed_at=at(date(2026, 11, 18), 15, BERLIN))
    moved(session, faq, P.closing_loop, P.done, at(date(2026, 11, 18), 15, BERLIN))
    checklist(session, faq, N.notified, N.acknowledged, N.pending)
    item(session, team, ana, "Update the dunning letter", P.implementing, date(2026, 11, 18))  # newly overdue
    item(session, team, ben, "Old promise", P.planned, date(2026, 10, 1))  # still overdue
    item(session, team, ben, "Finished weeks ago", P.done, date(2026, 11, 1),
         completed_at=at(date(2026, 11, 4), 9, BERLIN))  # in the trend, not in W47
    session.commit()
    return {"lead": lead, "ana": ana, "ben": ben, "team": team, "vat": vat}


def _text(page: str) -> str:
    """The page's words: tags out, entities decoded, white space collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split()).replace(" .", ".")


def _sections(page: str) -> list[tuple[str, list[str]]]:
    return [(html.unescape(title), [html.unescape(li) for li in _LINE.findall(body)])
            for title, body in _SECTION.findall(page)]


def _assert_shows(page: str, report: DigestReport) -> None:
    assert html.escape(report.title) in page and html.escape(report.headline) in page
    assert _sections(page) == [(s.title, s.lines) for s in report.sections]
    for section in report.sections:
        if not section.lines:
            assert html.escape(section.empty_text) in page


def _share(browser: Browser, token: str, **fields: str) -> tuple[Any, str, str]:
    """POST the share form; the answer, the link's URL and its secret."""
    data = {"scope": "programme", "week": WEEK, "days": "30", "note": "", "csrf_token": token, **fields}
    reply = browser.post("/app/digests/links", data)
    assert reply.status_code == 201, reply.text[:500]
    found = _SHARED.search(reply.text)
    assert found, "the new link is not on the page"
    return reply, found.group(1), found.group(2)


def _signed_out(client: TestClient, url: str) -> Any:
    client.cookies.clear()
    return client.get(url.removeprefix("http://tracker.test"), headers=HTML, follow_redirects=False)


def test_the_page_is_the_builders_report_for_the_scope_and_week(
        browser: Browser, session: Session, today: date) -> None:
    w = _seed(session)
    browser.sign_in_as(factories.person(session, Role.viewer))
    for scope, key in ((f"team-{w['team'].id}", f"team:{w['team'].id}"), ("programme", "programme")):
        page = browser.get(f"/app/digests?scope={scope}&week={WEEK}")
        assert page.status_code == 200
        report = build_digest(session, scope=key, week=WEEK, today=TODAY)
        _assert_shows(page.text, report)
        # The headline figures, and the section pictures drawn from the same totals.
        assert re.search(r'stat__value">1</span>\s*<span class="stat__caption">completed', page.text)
        assert "Customers told: 2 of 3 customers (66%)" in page.text
        assert "Training: 4 of 10 people trained (40%)" in page.text
    team_page = browser.get(f"/app/digests?scope=team-{w['team'].id}&week={WEEK}").text
    assert "Billing Operations: week 2026-W47" in team_page and "16-22 Nov 2026" in team_page
    assert "Share this digest" not in team_page  # viewers read; only leads share


def test_the_trend_chart_counts_what_each_weeks_digest_counts(
        browser: Browser, session: Session, today: date) -> None:
    w = _seed(session)
    browser.sign_in_as(w["lead"])
    page = browser.get(f"/app/digests?scope=team-{w['team'].id}&week={WEEK}").text
    groups = re.findall(r'<g class="week-group" data-week="([^"]+)">(.*?)</g>', page, re.S)
    assert [g[0] for g in groups][-1] == WEEK and len(groups) == 8
    overdue = re.findall(r'class="overdue-point" data-value="(\d+)"', page)
    for (label, body), late in zip(groups, overdue, strict=True):
        totals = build_digest(session, scope=f"team:{w['team'].id}", week=label, today=TODAY).totals
        completed = re.search(r'class="bar completed" data-value="(\d+)"', body)
        newly = re.search(r'class="bar newly-overdue" data-value="(\d+)"', body)
        assert completed and newly
        assert (int(completed.group(1)), int(newly.group(1)), int(late)) == (
            totals["completed"], totals["newly_overdue"], totals["overdue"]), label
    assert f"{WEEK} 16-22 Nov 2026" not in page  # the table's week cell has the period apart
    assert re.search(r"2026-W45 <span[^>]*>2-8 Nov 2026</span></th>\s*<td class=\"num\">1</td>", page)


def test_the_week_picker_moves_by_week_and_refuses_what_is_not_a_week(
        browser: Browser, session: Session, today: date) -> None:
    w = _seed(session)
    browser.sign_in_as(w["ben"])
    page = browser.get(f"/app/digests?scope=team-{w['team'].id}&week={WEEK}").text
    scope = f"team-{w['team'].id}"
    assert f'href="/app/digests?scope={scope}&amp;week=2026-W46" rel="prev"' in page
    assert f'href="/app/digests?scope={scope}&amp;week=2026-W48" rel="next"' in page  # this week
    assert '<option value="2026-W47" selected>2026-W47 (16-22 Nov 2026)</option>' in page
    assert f'<option value="{scope}" selected>Billing Operations</option>' in page
    assert page.count('<option value="2026-W') == 26
    now = browser.get(f"/app/digests?scope={scope}").text  # no week: the running one
    assert "Billing Operations: week 2026-W48" in now and 'rel="next"' not in now and "this week, so far" in now
    old = browser.get(f"/app/digests?scope={scope}&week=2025-W10").text  # older than the select: added
    assert '<option value="2025-W10" selected>' in old
    for query, status, says in (("week=2026-W99", 422, "2026 has no week 99"),
                                ("week=last", 422, "week must look like 2026-W47"),
                                ("scope=team-x", 422, "scope must be"),
                                ("scope=team-2147480000", 404, "team 2147480000 not found"),
                                ("week=" + "9" * 11, 422, "week")):
        reply = browser.get(f"/app/digests?{query}")
        assert reply.status_code == status and says in html.unescape(reply.text), (query, reply.status_code)


def test_what_was_sent_to_slack_and_when(browser: Browser, session: Session, today: date) -> None:
    w = _seed(session)
    team = w["team"]
    session.add_all([
        DigestDelivery(scope=f"team:{team.id}", team_id=team.id, week=WEEK, state=DigestState.sent,
                       channel="C0BILLING", slack_ts="1.2", created_at=at(TODAY, 9, BERLIN),
                       sent_at=at(TODAY, 9, BERLIN, 1)),
        DigestDelivery(scope=f"team:{team.id}", team_id=team.id, week="2026-W46", state=DigestState.failed,
                       channel="#billing", error="channel_not_found", created_at=at(date(2026, 11, 16), 9, BERLIN)),
        DigestDelivery(scope="programme", week=WEEK, state=DigestState.sent, channel=str(w["lead"].id),
                       created_at=at(TODAY, 9), sent_at=at(TODAY, 9, "UTC", 2)),
    ])
    session.commit()
    browser.sign_in_as(w["lead"])
    page = _text(browser.get(f"/app/digests?scope=team-{team.id}&week={WEEK}").text)
    assert "Sent to C0BILLING on Mon 23 Nov 2026, 08:01 UTC." in page
    assert "channel_not_found" in page and "Failed" in page  # the week before, in the table
    earlier = _text(browser.get(f"/app/digests?scope=team-{team.id}&week=2026-W46").text)
    assert "Slack said: channel_not_found" in earlier
    programme = _text(browser.get(f"/app/digests?scope=programme&week={WEEK}").text)
    assert "Sent to direct messages to Maya Lead on Mon 23 Nov 2026, 09:02 UTC." in programme
    never = _text(browser.get(f"/app/digests?scope=team-{team.id}&week=2026-W40").text)
    assert "Nothing was sent to Slack for 2026-W40." in never
    assert ("It was due to go to #billing on Monday 05 Oct 2026 from 09:00 (Europe/Berlin); a digest not "
            "queued on its Monday is skipped rather than sent late.") in never
    coming = _text(browser.get("/app/digests?scope=programme&week=2026-W48").text)
    assert "It goes to each CX lead as a Slack message on Monday 30 Nov 2026 from 09:00 (UTC)." in coming
    team.slack_channel = None
    session.commit()
    quiet = _text(browser.get(f"/app/digests?scope=team-{team.id}&week=2026-W48").text)
    assert "Billing Operations has no Slack channel, so its digest is not posted to Slack." in quiet


def test_a_lead_shares_a_week_and_the_link_opens_it_signed_out(
        browser: Browser, client: TestClient, session: Session, today: date) -> None:
    w = _seed(session)
    token = browser.sign_in_as(w["lead"])
    page = browser.get(f"/app/digests?scope=team-{w['team'].id}&week={WEEK}").text
    assert "Share this digest" in page and 'name="week" value="2026-W47" checked' in page
    reply, url, secret = _share(browser, token, scope=f"team-{w['team'].id}", days="7",
                                note="For the billing steering group")
    assert "shown only this once" in reply.text
    link = session.scalars(select(DigestShareLink)).one()
    assert link.token_hash == hash_token(secret) and secret not in repr(vars(link))  # only its hash is kept
    assert (link.scope, link.week, link.created_by_id) == (f"team:{w['team'].id}", WEEK, w["lead"].id)
    assert timedelta(days=7) - timedelta(minutes=1) < link.expires_at - utcnow() <= timedelta(days=7)
    logged = session.scalars(select(ActivityEntry).where(ActivityEntry.action == "digest_link_created")).one()
    assert logged.changes["week"] == WEEK and secret not in str(logged.changes)
    listed = browser.get("/app/digests/links").text
    assert "For the billing steering group" in listed and secret not in listed  # never shown again

    shared = _signed_out(client, url)
    assert shared.status_code == 200
    _assert_shows(shared.text, build_digest(session, scope=f"team:{w['team'].id}", week=WEEK, today=TODAY))
    assert shared.headers.get_list("referrer-policy") == ["no-referrer"]  # the page's, not the default
    assert "default-src 'self'" in shared.headers["content-security-policy"]
    assert shared.headers["x-robots-tag"] == "noindex, nofollow" and "no-store" in shared.headers["cache-control"]
    assert '<meta name="robots" content="noindex, nofollow">' in shared.text
    # Nothing leads anywhere else, nothing can be changed, no script runs, no session is made.
    for absent in ("<a ", "<form", "<button", "<script", "csrf_token", "Maya Lead", "steering group"):
        assert absent not in shared.text, absent
    assert "set-cookie" not in shared.headers
    # The same for a signed-in person who opens it: the shared page, not the workspace.
    browser.sign_in_as(w["lead"])
    again = browser.get(url.removeprefix("http://tracker.test"))
    assert again.status_code == 200 and "<nav" not in again.text and "Sign out" not in again.text


def test_the_current_week_link_follows_the_calendar(
        app: FastAPI, browser: Browser, client: TestClient, session: Session, today: date) -> None:
    w = _seed(session)
    token = browser.sign_in_as(w["lead"])
    _, url, _ = _share(browser, token, week="current", days="90")
    assert session.scalars(select(DigestShareLink)).one().week is None
    assert "Programme: week 2026-W48" in _signed_out(client, url).text
    app.state.today = lambda: date(2026, 12, 8)
    shared = _signed_out(client, url).text
    assert "Programme: week 2026-W50" in shared and "always shows the current week" in shared


def test_expired_revoked_and_unknown_links_are_refused_clearly(
        browser: Browser, client: TestClient, session: Session, today: date) -> None:
    w = _seed(session)
    token = browser.sign_in_as(w["lead"])
    _, expiring, _ = _share(browser, token)
    _, revoking, _ = _share(browser, token, note="the board")
    first, second = session.scalars(select(DigestShareLink).order_by(DigestShareLink.id)).all()
    first.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    gone = _signed_out(client, expiring)
    assert gone.status_code == 410 and "This link has expired" in gone.text
    assert "Programme: week" not in gone.text and gone.headers["referrer-policy"] == "no-referrer"

    token = browser.sign_in_as(w["lead"])  # _signed_out dropped the cookies
    listed = browser.get("/app/digests/links").text
    assert listed.count(">Revoke<") == 1 and "Expired" in listed  # only the live one can be revoked
    revoked = browser.post("/app/digests/links/revoke", {"link_id": str(second.id), "csrf_token": token})
    assert revoked.status_code == 303 and revoked.headers["location"].startswith("/app/digests/links?revoked=")
    assert f"Link {second.id} is revoked" in browser.get(revoked.headers["location"]).text
    withdrawn = _signed_out(client, revoking)
    assert withdrawn.status_code == 410 and "This link was withdrawn" in withdrawn.text
    token = browser.sign_in_as(w["lead"])
    twice = browser.post("/app/digests/links/revoke", {"link_id": str(second.id), "csrf_token": token})
    assert twice.status_code == 409 and "already revoked" in twice.text
    missing = browser.post("/app/digests/links/revoke", {"link_id": "2147480000", "csrf_token": token})
    assert missing.status_code == 404 and "shared digest link 2147480000 not found" in missing.text
    assert session.scalar(select(DigestShareLink.revoked_by_id).where(DigestShareLink.id == second.id)) == w["lead"].id

    for secret in ("x" * 43, "not-a-link", "A" * 400):
        unknown = _signed_out(client, f"/shared/digests/{secret}")
        assert unknown.status_code == 404 and "does not open a digest" in unknown.text


def test_only_leads_and_admins_make_or_revoke_links(browser: Browser, session: Session, today: date) -> None:
    w = _seed(session)
    lead_token = browser.sign_in_as(w["lead"])
    _share(browser, lead_token)
    link_id = session.scalars(select(DigestShareLink.id)).one()
    for who in (factories.person(session, Role.viewer), w["ana"]):
        token = browser.sign_in_as(who)
        assert "Share this digest" not in browser.get("/app/digests").text
        made = browser.post("/app/digests/links", {"scope": "programme", "week": "current", "days": "7",
                                                   "csrf_token": token})
        assert made.status_code == 403
        revoked = browser.post("/app/digests/links/revoke", {"link_id": str(link_id), "csrf_token": token})
        assert revoked.status_code == 403
        assert browser.get("/app/digests/links").status_code == 403
    assert session.scalar(select(DigestShareLink.revoked_at)) is None
    assert len(session.scalars(select(DigestShareLink)).all()) == 1
    admin_token = browser.sign_in_as(factories.person(session, Role.admin))
    _share(browser, admin_token, week="current")


@pytest.mark.parametrize(("fields", "field", "says", "status"), [
    ({"days": "365"}, "days", "days must be between 1 and 90, not 365", 422),
    ({"days": "0"}, "days", "days must be between 1 and 90", 422),
    ({"days": "soon"}, "days", "valid integer", 422),
    ({"week": "2026-W54"}, "week", "2026 has no week 54", 422),
    ({"scope": "everyone"}, "scope", "scope must be 'team-<id>' or 'programme'", 422),
    ({"scope": "team-2147480000"}, "__all__", "team 2147480000 not found", 404),
    ({"note": "n" * 201}, "note", "at most 200 characters", 422),
])
def test_a_bad_share_form_is_refused_by_field(browser: Browser, session: Session, today: date,
                                              fields: dict[str, str], field: str, says: str, status: int) -> None:
    w = _seed(session)
    token = browser.sign_in_as(w["lead"])
    data = {"scope": "programme", "week": WEEK, "days": "30", "csrf_token": token, **fields}
    reply = browser.post("/app/digests/links", data)
    assert reply.status_code == status and says in html.unescape(reply.text)
    if field != "__all__":
        assert f'id="f-{field}" name="{field}"' in reply.text and f'id="f-{field}-error"' in reply.text
    assert session.scalars(select(DigestShareLink)).all() == []


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_stays_text_on_every_digest_page(
        browser: Browser, client: TestClient, session: Session, today: date, text: str) -> None:
    w = _seed(session, title=f"item {text}", person=f"owner {text}", team_name=f"team {text}")
    token = browser.sign_in_as(w["lead"])
    _, url, _ = _share(browser, token, scope=f"team-{w['team'].id}", note=f"note {text}")
    pages = {"page": browser.get(f"/app/digests?scope=team-{w['team'].id}&week={WEEK}").text,
             "links": browser.get("/app/digests/links").text, "shared": _signed_out(client, url).text}
    shows = {"page": ("item", "team", "owner"), "links": ("team", "note"),
             "shared": ("item", "team", "owner")}  # the note is for leads only
    for name, page in pages.items():
        for planted in shows[name]:
            if any(c in text for c in "<>&"):
                assert f"{planted} {text}" not in page, (name, planted, "written unescaped")
            assert f"{planted} {text}" in html.unescape(page), (name, planted, "not shown")


def test_link_secrets_never_reach_the_access_log() -> None:
    install_redaction()
    logger = logging.getLogger(ACCESS_LOGGER)
    record = logger.makeRecord(ACCESS_LOGGER, logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", "/shared/digests/" + "s3cr3t" * 7 + "x?a=1", "1.1", 200),
                               None)
    assert all(f.filter(record) for f in logger.filters)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /shared/digests/[secret]?a=1 HTTP/1.1" 200'
    assert redact("/set-password/abc") == "/set-password/[secret]"
    assert redact("/app/digests?scope=programme") == "/app/digests?scope=programme"
