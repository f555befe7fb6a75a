"""The closed-loop queue page: grouping, marking one person about several fixes at once, the
bulk bar, stale marks naming who got there first, viewers refused, the CSV, and the message
template with hostile text."""

from __future__ import annotations

import csv
import html
import io
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories.closed_loop import build_queue, entry
from tests.web.conftest import HTML, Browser
from tracker.actions import checklist, service
from tracker.actions.models import ChecklistEntry, NotificationStatus, Phase
from tracker.activity.models import ActivityEntry
from tracker.closed_loop.messages import DEFAULT_TEMPLATE

HX = {**HTML, "HX-Request": "true"}
HOSTILE = '=HYPERLINK("http://evil.example")<script>alert(1)</script><img src=x onerror=alert(1)>'


def _group(page: str, name: str) -> str:
    """The <article> of the group whose heading is `name`."""
    for article in re.findall(r'<article class="qgroup[^"]*".*?</article>', page, re.S):
        if re.search(r'class="qgroup__name"[^>]*>\s*(<a [^>]*>)?' + re.escape(name), article):
            return str(article)
    raise AssertionError(f"no group {name!r} on the page")


def _ref(e: ChecklistEntry) -> str:
    return f"{e.id}:{e.version}"


def _mark(browser: Browser, token: str, entries: list[ChecklistEntry], mark: str = "notified", *,
          htmx: bool = False, **extra: Any) -> Any:
    data: dict[str, Any] = {"csrf_token": token, "mark": mark, "entry": [_ref(e) for e in entries], **extra}
    return browser.client.post("/app/closed-loop/marks", data=data, headers=HX if htmx else HTML,
                               follow_redirects=False)


def test_the_queue_groups_one_person_across_fixes(browser: Browser, session: Session) -> None:
    w = build_queue(session)
    browser.sign_in_as(w["support"])
    page = browser.get("/app/closed-loop")
    assert page.status_code == 200
    text = page.text
    # 4 notifications: Ben twice (two spellings of one address), Amara, Lars (a done item).
    assert re.search(r"<strong>4</strong> notifications to make\s*· 3 customers · 3 fixes", text)
    ben = _group(text, "Ben Carter")
    assert "Owed news about 2 fixes" in ben
    assert "Stop billing deactivated users" in ben and "Print the VAT ID on invoices" in ben
    assert ben.count('name="entry" value="') == 2 + 2  # the group's hidden pair, and two checkboxes
    # One message about both fixes, from the default template.
    assert ("we want you to know it is fixed: Stop billing deactivated users and Print the VAT ID on "
            "invoices.") in html.unescape(ben)
    assert "Lars Johansson" in text and "Amara Eze" in text
    for absent in ("Hannah Schmidt", "Priya Raman", "Never Told", "Skipped Person", "Acme GmbH"):
        assert absent not in text, absent
    assert '<a href="/app/closed-loop" aria-current="page">Closed loop</a>' in text


def test_filters_earlier_phases_and_grouping_by_fix(browser: Browser, session: Session) -> None:
    w = build_queue(session)
    browser.sign_in_as(w["support"])
    text = browser.get("/app/closed-loop?phase=implementing&phase=planned&group=item").text
    assert "Priya Raman" in text and "Acme GmbH" in text and "Ben Carter" not in text
    text = browser.get("/app/closed-loop?group=item").text
    seats = _group(text, "Stop billing deactivated users")
    assert "Ben Carter" in seats and "Also owed news about 1 fix" in seats and "tell them once" in seats
    # Soonest deadline first.
    assert text.index("Stop billing deactivated users") < text.index("Print the VAT ID on invoices")
    # A hand-edited bad filter is said, not a 500.
    r = browser.get("/app/closed-loop?phase=cancelled")
    assert r.status_code == 200 and "were not understood" in r.text


def test_a_customer_owed_two_fixes_is_marked_once(browser: Browser, session: Session) -> None:
    w = build_queue(session)
    token = browser.sign_in_as(w["support"])
    message = "Hi Ben, both fixes are live: deactivated users and the VAT ID."
    r = _mark(browser, token, [w["ben_seats"], w["ben_vat"]], message=message, back="group=customer",
              focus="x")
    assert r.status_code == 303 and r.headers["location"] == "/app/closed-loop"
    for e in (w["ben_seats"], w["ben_vat"]):
        session.refresh(e)
        assert e.status is NotificationStatus.notified and e.message == message
        assert e.notified_by_id == w["support"].id and e.notified_at is not None
    logged = session.scalars(select(ActivityEntry).where(
        ActivityEntry.entity_type == "checklist_entry",
        ActivityEntry.entity_id.in_([w["ben_seats"].id, w["ben_vat"].id]))).all()
    assert len(logged) == 2 and all(a.actor_id == w["support"].id for a in logged)
    text = browser.get("/app/closed-loop").text
    assert "Ben Carter" not in text and re.search(r"<strong>2</strong> notifications", text)


def test_htmx_marks_swap_the_groups_and_the_count_out_of_band(browser: Browser, session: Session) -> None:
    w = build_queue(session)
    token = browser.sign_in_as(w["support"])
    r = _mark(browser, token, [w["ben_seats"], w["ben_vat"]], "acknowledged", htmx=True, message="Hello Ben",
              focus="customer-abc")
    assert r.status_code == 200
    assert re.search(r'<p id="queue-count" hx-swap-oob="innerHTML"><strong>2</strong> notifications', r.text)
    assert '<div id="queue-status" hx-swap-oob="innerHTML">' in r.text
    assert "Marked acknowledged: Ben Carter (2 fixes)." in r.text
    assert 'class="qgroup qgroup--done"' in r.text and "nobody left to tell here" in r.text
    # One fix of a person owed two: their group comes back with the other one still to do.
    session.refresh(w["amara"])
    amara_vat = entry(session, w["vat"], "Amara Eze", "amara@brightpath.example")
    session.commit()
    r = _mark(browser, token, [w["amara"], amara_vat], f"unreachable:{w['amara'].id}", htmx=True)
    assert r.status_code == 200
    group = _group(r.text, "Amara Eze")
    assert 'hx-swap-oob="true"' in group and "Print the VAT ID on invoices" in group
    assert "Stop billing deactivated users" not in group
    session.refresh(w["amara"])
    session.refresh(amara_vat)
    assert w["amara"].status is NotificationStatus.unreachable and amara_vat.status is NotificationStatus.pending
    # The last customer of "seats" was told: its owner may now mark it done.
    assert "Nobody is left to tell about “Stop billing deactivated users”: its owner can mark it done." in r.text
    item = service.change_phase(session, actor=w["lead"], item_id=w["seats"].id, to=Phase.done, reason=None,
                                expected_version=w["seats"].version)
    assert item.phase is Phase.done


def test_bulk_marks_record_each_draft(browser: Browser, session: Session) -> None:
    w = build_queue(session)
    token = browser.sign_in_as(w["support"])
    r = _mark(browser, token, [w["amara"], w["lars"]], "notified", back="")
    assert r.status_code == 303
    session.refresh(w["amara"])
    session.refresh(w["lars"])
    assert w["amara"].status is NotificationStatus.notified and w["lars"].status is NotificationStatus.notified
    assert w["amara"].message.startswith("Hello Amara Eze,") and "Stop billing deactivated users" in w["amara"].message
    # Nothing ticked: said plainly, nothing marked.
    r = browser.client.post("/app/closed-loop/marks", data={"csrf_token": token, "mark": "notified"},
                            headers=HX, follow_redirects=False)
    assert r.status_code == 422 and "choose at least one customer to mark" in r.text
    r = _mark(browser, token, [w["ben_seats"]], "pending")
    assert r.status_code == 422 and "must be one of acknowledged, notified, unreachable" in r.text


def test_a_stale_mark_is_refused_naming_who_changed_it(browser: Browser, session: Session) -> None:
    w = build_queue(session)
    token = browser.sign_in_as(w["support"])
    seen = [_ref(w["ben_seats"]), _ref(w["ben_vat"])]
    colleague = w["lead"]
    checklist.update_entry(session, actor=colleague, item_id=w["vat"].id, entry_id=w["ben_vat"].id,
                           expected_version=w["ben_vat"].version, data={"status": NotificationStatus.unreachable})
    session.commit()
    data = {"csrf_token": token, "mark": "notified", "entry": seen, "message": "Hi Ben"}
    r = browser.client.post("/app/closed-loop/marks", data=data, headers=HTML, follow_redirects=False)
    assert r.status_code == 200  # one marked, one refused: the page says which
    text = html.unescape(r.text)
    assert "Marked notified: Ben Carter." in text
    assert (f"Not marked: Ben Carter about “Print the VAT ID on invoices” was changed by {colleague.name} "
            f"<{colleague.email}>") in text
    assert "status: pending → unreachable" in text and "it is unreachable now" in text
    session.refresh(w["ben_vat"])
    assert w["ben_vat"].status is NotificationStatus.unreachable and w["ben_vat"].notified_by_id == colleague.id
    # Everything stale: 409, and nothing of the colleague's is overwritten.
    r = browser.client.post("/app/closed-loop/marks", data={**data, "entry": seen[1:]}, headers=HX,
                            follow_redirects=False)
    assert r.status_code == 409 and "was changed by" in r.text
    session.refresh(w["ben_vat"])
    assert w["ben_vat"].status is NotificationStatus.unreachable


def test_a_viewer_reads_the_queue_and_is_refused_a_mark(browser: Browser, session: Session) -> None:
    w = build_queue(session)
    token = browser.sign_in_as(w["viewer"])
    page = browser.get("/app/closed-loop")
    assert page.status_code == 200 and "Ben Carter" in page.text
    assert 'name="mark"' not in page.text and "queue-bulk" not in page.text and "<textarea" not in page.text
    r = _mark(browser, token, [w["ben_seats"]])
    assert r.status_code == 403 and "this needs the owner or lead or admin role; you are viewer" in r.text
    session.refresh(w["ben_seats"])
    assert w["ben_seats"].status is NotificationStatus.pending
    assert browser.get(f"/app/action-items/{w['seats'].id}/customer-message").status_code == 403


def test_the_csv_has_one_row_per_person_and_no_formulas(browser: Browser, session: Session) -> None:
    w = build_queue(session)
    entry(session, w["seats"], HOSTILE, "@evil.example")
    session.commit()
    browser.sign_in_as(w["support"])
    r = browser.get("/app/closed-loop.csv?team=" + str(w["team"].id))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["customer_name", "contact", "channel", "message", "fixes", "action_item_ids", "entries"]
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"Amara Eze", "Ben Carter", "Lars Johansson", "'" + HOSTILE}
    ben = by_name["Ben Carter"]
    assert ben[4] == "Stop billing deactivated users | Print the VAT ID on invoices"
    assert ben[6] == f"{_ref(w['ben_seats'])} {_ref(w['ben_vat'])}"
    assert "fixed: Stop billing deactivated users and Print the VAT ID on invoices." in ben[3]
    hostile = by_name["'" + HOSTILE]
    assert hostile[1] == "'@evil.example"
    # The same filters as the page: an earlier phase only when asked for.
    names = {row[0] for row in csv.reader(io.StringIO(browser.get("/app/closed-loop.csv?phase=implementing").text))}
    assert names == {"customer_name", "Priya Raman"}


def test_the_lead_writes_the_template_and_hostile_text_stays_text(browser: Browser, session: Session) -> None:
    w = build_queue(session)
    entry(session, w["seats"], HOSTILE, "hostile@example.com")
    session.commit()
    token = browser.sign_in_as(w["lead"])
    url = f"/app/action-items/{w['seats'].id}/customer-message"
    page = browser.get(url)
    assert page.status_code == 200 and html.escape(DEFAULT_TEMPLATE, quote=False).split("\n")[0] in page.text
    template = "Dear {customer_name} <b>({contact})</b>: {fix} is live. {{not a placeholder}}"
    r = browser.post(url, {"csrf_token": token, "text": template, "version": str(w["seats"].version)})
    assert r.status_code == 303 and r.headers["location"] == url + "?saved=1"
    session.refresh(w["seats"])
    assert w["seats"].customer_message_template == template
    assert "Saved." in browser.get(url + "?saved=1").text
    text = browser.get("/app/closed-loop?group=item").text
    assert "<script>alert(1)</script>" not in text and "<img src=x" not in text and "<b>(" not in text
    assert ("Dear =HYPERLINK(&#34;http://evil.example&#34;)&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x "
            "onerror=alert(1)&gt; &lt;b&gt;(hostile@example.com)&lt;/b&gt;: Stop billing deactivated users "
            "is live. {not a placeholder}") in text
    # An unknown placeholder, or a lone brace, is named next to the field; nothing saved.
    for bad, said in (("Hi {name}", "unknown placeholder {name}"), ("Hi {customer_name", "a lone &#39;{&#39;")):
        r = browser.post(url, {"csrf_token": token, "text": bad, "version": str(w["seats"].version)})
        assert r.status_code == 422 and said in r.text, r.text[-800:]
    # A stale save names who changed the item meanwhile and keeps the typed text.
    old = w["seats"].version
    service.update_action_item(session, actor=w["owner"], item_id=w["seats"].id, expected_version=old,
                               data={"title": "Stop billing deactivated users today"})
    session.commit()
    r = browser.post(url, {"csrf_token": token, "text": "Hello {customer_name}", "version": str(old),
                           "seen_activity": "0"})
    assert r.status_code == 409 and w["owner"].name in r.text and "Hello {customer_name}</textarea>" in r.text
    # The item page leads here, and to the fix's customers in the queue.
    item_page = browser.get(f"/app/action-items/{w['seats'].id}").text
    assert f'href="{url}"' in item_page
    assert f'href="/app/closed-loop?item={w["seats"].id}&amp;phase=closing_loop"' in item_page
    # Back to the default.
    session.refresh(w["seats"])
    r = browser.post(url, {"csrf_token": token, "text": "", "reset": "true", "version": str(w["seats"].version)})
    assert r.status_code == 303
    session.refresh(w["seats"])
    assert w["seats"].customer_message_template is None
