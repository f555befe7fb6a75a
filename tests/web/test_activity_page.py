"""The activity page: every change with the door it came in by, filters, paging, CSV; the API's
`source` field and filter; and the source recorded for each way of changing things."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from tests.factories.programme import build_world
from tests.web.conftest import Browser
from tracker.actions import service
from tracker.activity.models import ActivityEntry
from tracker.activity.service import record
from tracker.activity.source import Source, acting_from, source_of
from tracker.people.models import Role

XSS = '=HYPERLINK("https://evil.test")<script>alert(1)</script>'


def _sources(session: Session, item_id: int) -> list[tuple[str, str]]:
    session.expire_all()
    return [(e.action, e.source) for e in session.scalars(
        select(ActivityEntry).where(ActivityEntry.action_item_id == item_id).order_by(ActivityEntry.id))]


def test_each_door_is_recorded_with_the_change(browser: Browser, client: TestClient, session: Session) -> None:
    world = build_world(session)
    item, owner = world["item"], world["owner"]
    headers = factories.auth_headers(session, owner)
    session.commit()
    # Through the API ...
    reply = client.post(f"/action-items/{item.id}/updates", json={"note": "from a script"}, headers=headers)
    assert reply.status_code == 201, reply.text
    # ... and through the page.
    token = browser.sign_in_as(owner)
    page = browser.post(f"/app/action-items/{item.id}/updates", {"note": "from the page", "csrf_token": token})
    assert page.status_code == 303
    assert _sources(session, item.id)[-2:] == [("progress_posted", "api"), ("progress_posted", "web")]


def test_vendor_labels_and_the_worker_say_where_a_change_came_from() -> None:
    assert source_of("jira:557058:abc", has_actor=False) is Source.jira
    assert source_of("github:octocat", has_actor=False) is Source.github
    assert source_of("Ana <ana@example.com> via Slack", has_actor=True) is Source.slack
    assert source_of("system", has_actor=False) is Source.system
    assert source_of("Ana <ana@example.com>", has_actor=True) is Source.api
    with acting_from(Source.web):
        assert source_of("Ana <ana@example.com>", has_actor=True) is Source.web
        assert source_of("jira:557058:abc", has_actor=False) is Source.jira  # the ticket's change wins


def test_the_page_filters_by_person_item_moment_and_source(browser: Browser, session: Session) -> None:
    world = build_world(session)
    item, lead, owner = world["item"], world["lead"], world["owner"]
    other = build_world(session)["item"]
    with acting_from(Source.web):
        service.add_progress_update(session, actor=owner, item_id=item.id, note="owner's note")
    record(session, actor=None, actor_label="jira:557058:x", entity_type="action_item", entity_id=other.id,
           action="pulled", changes={"title": {"from": "a", "to": "b"}}, action_item_id=other.id)
    session.commit()
    browser.sign_in_as(lead)
    everything = browser.get("/app/activity").text
    assert "progress posted" in everything and "pulled" in everything

    by_source = browser.get("/app/activity?source=jira").text
    assert "pulled" in by_source and "progress posted" not in by_source
    assert "title: a → b" in by_source and other.title in by_source

    by_item = browser.get(f"/app/activity?item={item.id}").text
    assert "progress posted" in by_item and "pulled" not in by_item
    by_person = browser.get(f"/app/activity?person={owner.id}").text
    assert "progress posted" in by_person and "pulled" not in by_person
    by_moment = browser.get(f"/app/activity?moment={world['moment'].id}").text
    assert "progress posted" in by_moment and "pulled" not in by_moment

    bad = browser.get("/app/activity?source=fax&item=abc")
    assert bad.status_code == 200 and "were left out: item, source" in bad.text


def test_older_entries_page_back_without_repeats(browser: Browser, session: Session) -> None:
    world = build_world(session)
    for n in range(105):
        record(session, actor=None, actor_label="system", entity_type="action_item", entity_id=world["item"].id,
               action=f"step_{n:03d}", action_item_id=world["item"].id)
    session.commit()
    browser.sign_in_as(world["lead"])
    first = browser.get(f"/app/activity?item={world['item'].id}").text
    assert "step 104" in first and "step 005" in first and "step 004" not in first
    older = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    second = browser.get(older).text
    assert "step 004" in second and "step 000" in second and "step 005" not in second
    assert 'rel="next"' not in second


def test_csv_has_the_filtered_log_and_keeps_formulas_inert(browser: Browser, session: Session) -> None:
    world = build_world(session)
    record(session, actor=world["owner"], entity_type="action_item", entity_id=world["item"].id, action="renamed",
           changes={"title": {"from": "x", "to": XSS}}, action_item_id=world["item"].id)
    world["owner"].name = XSS
    record(session, actor=world["owner"], entity_type="action_item", entity_id=world["item"].id, action="touched",
           action_item_id=world["item"].id)
    session.commit()
    browser.sign_in_as(factories.person(session, Role.viewer))  # viewers read the log too
    session.commit()
    page = browser.get("/app/activity")
    assert page.status_code == 200 and "<script>alert(1)</script>" not in page.text
    reply = browser.get(f"/app/activity.csv?item={world['item'].id}")
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(reply.text)))
    assert [r["action"] for r in rows] == ["touched", "renamed"]  # newest first, this item only
    assert rows[0]["who"] == "'" + XSS + " <" + world["owner"].email + ">"  # a formula, made inert
    assert rows[1]["changes"] == "title: x → " + XSS and rows[1]["source"] == "api"


def test_the_api_returns_and_filters_by_source(client: TestClient, session: Session) -> None:
    world = build_world(session)
    headers = factories.auth_headers(session, world["lead"])
    with acting_from(Source.slack):
        service.add_progress_update(session, actor=world["owner"], item_id=world["item"].id, note="via a button")
    session.commit()
    found = client.get("/activity", params={"source": "slack"}, headers=headers)
    assert found.status_code == 200
    assert [e["source"] for e in found.json()["items"]] == ["slack"]
    refused = client.get("/activity", params={"source": "fax"}, headers=headers)
    assert refused.status_code == 422 and "source" in refused.text


SIGN_IN_IP, SIGN_IN_BROWSER = "203.0.113.7", "Firefox/140.0 (sign-in test)"


def _signed_in_entry(session: Session) -> ActivityEntry:
    someone = factories.person(session, Role.owner)
    entry = record(session, actor=someone, entity_type="person", entity_id=someone.id, action="signed_in",
                   changes={"ip": SIGN_IN_IP, "user_agent": SIGN_IN_BROWSER})
    session.commit()
    return entry


@pytest.mark.parametrize("role", list(Role))
def test_where_a_sign_in_came_from_is_shown_to_admins_only(browser: Browser, client: TestClient,
                                                           session: Session, role: Role) -> None:
    entry = _signed_in_entry(session)
    reader = factories.person(session, role)
    headers = factories.auth_headers(session, reader)
    session.commit()
    admin = role is Role.admin
    browser.sign_in_as(reader)
    page = browser.get("/app/activity").text
    assert "signed in" in page  # the entry itself is for everyone
    assert (SIGN_IN_IP in page) is admin and (SIGN_IN_BROWSER in page) is admin
    rows = list(csv.DictReader(io.StringIO(browser.get("/app/activity.csv").text)))
    (row,) = [r for r in rows if r["id"] == str(entry.id)]
    assert row["action"] == "signed_in"
    assert (SIGN_IN_IP in row["changes"]) is admin and (SIGN_IN_BROWSER in row["changes"]) is admin
    found = client.get("/activity", params={"entity_type": "person", "entity_id": entry.entity_id},
                       headers=headers).json()["items"]
    (listed,) = [e for e in found if e["id"] == entry.id]
    expected = {"ip": SIGN_IN_IP, "user_agent": SIGN_IN_BROWSER} if admin else {}
    assert listed["action"] == "signed_in" and listed["changes"] == expected
    session.expire_all()
    assert session.get(ActivityEntry, entry.id).changes["ip"] == SIGN_IN_IP  # nothing is changed in the log


def test_an_items_activity_applies_the_same_rule(browser: Browser, client: TestClient, session: Session) -> None:
    # Sign-ins are about a person, never an item; an entry made to look like one checks that the
    # item page and GET /action-items/{id}/activity go through the same rule all the same.
    world = build_world(session)
    item = world["item"]
    record(session, actor=world["owner"], entity_type="person", entity_id=world["owner"].id, action="signed_in",
           changes={"ip": SIGN_IN_IP, "user_agent": SIGN_IN_BROWSER}, action_item_id=item.id)
    session.commit()
    for role, admin in ((Role.viewer, False), (Role.admin, True)):
        reader = factories.person(session, role)
        headers = factories.auth_headers(session, reader)
        session.commit()
        browser.sign_in_as(reader)
        page = browser.get(f"/app/action-items/{item.id}").text
        assert "signed in" in page and (SIGN_IN_IP in page) is admin and (SIGN_IN_BROWSER in page) is admin
        found = client.get(f"/action-items/{item.id}/activity", headers=headers).json()["items"]
        (listed,) = [e for e in found if e["action"] == "signed_in"]
        assert ("ip" in listed["changes"]) is admin and ("user_agent" in listed["changes"]) is admin
