"""The queue's JSON API: grouping, filters, cursor pages, marks with versions, and the item's
message template; and the page costs the same number of queries whatever its size."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from tests import factories
from tests.factories.closed_loop import build_queue, entry, item
from tracker.actions import checklist
from tracker.actions.models import ChecklistEntry, NotificationStatus, Phase
from tracker.closed_loop import queue
from tracker.people.models import Role


def _headers(session: Session, w: dict[str, Any], who: str) -> dict[str, str]:
    return factories.auth_headers(session, w[who])


def test_customers_one_group_per_person(client: TestClient, session: Session) -> None:
    w = build_queue(session)
    h = _headers(session, w, "support")
    body = client.get("/closed-loop/queue", headers=h).json()
    assert body["totals"] == {"pending": 4, "customers": 3, "fixes": 3}
    # In contact order, as compared (Lars's phone number: "+" sorts before letters).
    assert [g["key"] for g in body["items"]] == ["+4685550101", "amara@brightpath.example", "ben@carter.example"]
    ben = next(g for g in body["items"] if g["customer_name"] == "Ben Carter")
    assert ben["key"] == "ben@carter.example"
    assert [e["item_title"] for e in ben["entries"]] == ["Stop billing deactivated users",
                                                         "Print the VAT ID on invoices"]
    assert [e["id"] for e in ben["entries"]] == [w["ben_seats"].id, w["ben_vat"].id]
    assert all(e["version"] == 1 for e in ben["entries"])
    assert "Stop billing deactivated users and Print the VAT ID on invoices" in ben["draft"]
    one = client.get("/closed-loop/queue", params={"contact": "BEN@carter.example "}, headers=h).json()
    assert [g["customer_name"] for g in one["items"]] == ["Ben Carter"] and one["totals"]["pending"] == 2


def test_cursor_pages_never_skip_or_repeat(client: TestClient, session: Session) -> None:
    w = build_queue(session)
    h = _headers(session, w, "support")
    seen: list[str] = []
    cursor = None
    for _ in range(5):
        params: dict[str, Any] = {"limit": 1}
        if cursor:
            params["cursor"] = cursor
        body = client.get("/closed-loop/queue", params=params, headers=h).json()
        seen += [g["key"] for g in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 3
    r = client.get("/closed-loop/queue", params={"cursor": "not-ours"}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["field"] == "cursor"


def test_filters_and_grouping_by_item(client: TestClient, session: Session) -> None:
    w = build_queue(session)
    h = _headers(session, w, "viewer")  # viewers read the queue
    body = client.get("/closed-loop/queue/by-item", headers=h).json()
    assert [g["title"] for g in body["items"]] == ["Explain corrected invoices", "Stop billing deactivated users",
                                                   "Print the VAT ID on invoices"]
    seats = body["items"][1]
    assert seats["pending"] == 2 and seats["owed_elsewhere"]["ben@carter.example"] == 1
    assert seats["owed_elsewhere"]["amara@brightpath.example"] == 0
    early = client.get("/closed-loop/queue", params={"phase": ["implementing", "planned"]}, headers=h).json()
    assert {g["customer_name"] for g in early["items"]} == {"Priya Raman", "Acme GmbH"}
    assert client.get("/closed-loop/queue", params={"item_id": w["vat"].id}, headers=h).json()["totals"] == {
        "pending": 1, "customers": 1, "fixes": 1}
    assert client.get("/closed-loop/queue", params={"team_id": 999999}, headers=h).json()["items"] == []
    r = client.get("/closed-loop/queue", params={"phase": "cancelled"}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["field"] == "phase"
    assert "dropped" in r.json()["error"]["message"]


def test_marks_carry_versions_and_name_who_got_there_first(client: TestClient, session: Session) -> None:
    w = build_queue(session)
    h = _headers(session, w, "support")
    checklist.update_entry(session, actor=w["lead"], item_id=w["vat"].id, entry_id=w["ben_vat"].id,
                           expected_version=1, data={"status": NotificationStatus.acknowledged})
    session.commit()
    r = client.post("/closed-loop/marks", headers=h, json={
        "status": "notified", "message": "Both fixed, Ben.",
        "entries": [{"id": w["ben_seats"].id, "version": 1}, {"id": w["ben_vat"].id, "version": 1},
                    {"id": w["amara"].id, "version": 1}]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [m["id"] for m in body["marked"]] == [w["ben_seats"].id, w["amara"].id]
    assert all(m["version"] == 2 and m["status"] == "notified" for m in body["marked"])
    [stale] = body["stale"]
    assert stale["id"] == w["ben_vat"].id and stale["status"] == "acknowledged" and stale["version"] == 2
    assert stale["changed_by"] == f"{w['lead'].name} <{w['lead'].email}>"
    assert stale["what"] == "status: pending → acknowledged"
    assert body["cleared_items"] == [w["seats"].id]  # Ben and Amara were its last
    session.expire_all()
    assert session.get(ChecklistEntry, w["ben_vat"].id).status is NotificationStatus.acknowledged  # type: ignore[union-attr]
    assert session.get(ChecklistEntry, w["ben_seats"].id).message == "Both fixed, Ben."  # type: ignore[union-attr]


def test_marks_refuse_bad_input_naming_it(client: TestClient, session: Session) -> None:
    w = build_queue(session)
    h = _headers(session, w, "support")
    one = {"id": w["amara"].id, "version": 1}
    cases = [
        ({"status": "pending", "entries": [one]}, "status"),
        ({"status": "notified", "entries": []}, "entries"),
        ({"status": "notified", "entries": [one, {"id": 99999, "version": 1}]}, "entries.1.id"),
        ({"status": "notified", "entries": [one, one]}, "entries.1.id"),
        ({"status": "notified", "entries": [one], "message": "a\x00b"}, "message"),
    ]
    for body, field in cases:
        r = client.post("/closed-loop/marks", headers=h, json=body)
        assert r.status_code == 422, (body, r.text)
        assert field in r.json()["error"].get("field", "") or field in r.text, (body, r.text)
    session.refresh(w["amara"])
    assert w["amara"].status is NotificationStatus.pending
    viewer = _headers(session, w, "viewer")
    r = client.post("/closed-loop/marks", headers=viewer, json={"status": "notified", "entries": [one]})
    assert r.status_code == 403


def test_the_message_template_of_an_item(client: TestClient, session: Session) -> None:
    w = build_queue(session)
    lead, owner = _headers(session, w, "lead"), _headers(session, w, "owner")
    url = f"/action-items/{w['seats'].id}/customer-message"
    got = client.get(url, headers=owner)
    assert got.status_code == 200 and got.json()["is_default"] is True
    assert set(got.json()["placeholders"]) == {"customer_name", "contact", "fix"}
    etag = got.headers["ETag"]
    text = "Hi {customer_name}: {fix} shipped."
    assert client.put(url, headers=owner, json={"text": text, "version": 1}).status_code == 403
    assert client.put(url, headers=lead, json={"text": text}).status_code == 428
    r = client.put(url, headers={**lead, "If-Match": etag}, json={"text": "Hi {name}"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "text" and "{name}" in r.json()["error"]["message"]
    r = client.put(url, headers={**lead, "If-Match": etag}, json={"text": text})
    assert r.status_code == 200 and r.json()["is_default"] is False and r.json()["text"] == text
    assert client.put(url, headers={**lead, "If-Match": etag}, json={"text": "Hi"}).status_code == 412
    drafts = client.get("/closed-loop/queue", params={"contact": "amara@brightpath.example"}, headers=owner).json()
    assert drafts["items"][0]["draft"] == "Hi Amara Eze: Stop billing deactivated users shipped."
    r = client.put(url, headers={**lead, "If-Match": r.headers["ETag"]}, json={"text": None})
    assert r.status_code == 200 and r.json()["is_default"] is True


def test_contact_keys_are_kept_by_the_orm_and_by_bulk_inserts(session: Session) -> None:
    w = build_queue(session)
    assert w["ben_vat"].contact_key == "ben@carter.example"
    session.execute(insert(ChecklistEntry), [{
        "action_item_id": w["seats"].id, "customer_name": "Bulk", "contact": "Bulk @Example.COM",
        "channel": "email", "message": "", "status": "pending", "note": "", "version": 1}])
    key = session.scalar(select(ChecklistEntry.contact_key).where(ChecklistEntry.customer_name == "Bulk"))
    assert key == "bulk@example.com"


def test_a_page_costs_the_same_queries_however_many_people(session: Session) -> None:
    w = build_queue(session)
    filters = queue.QueueFilters()

    def statements(n: int) -> int:
        extra = item(session, w, f"Fix for {n}", Phase.closing_loop)
        for k in range(n):
            entry(session, extra, f"Customer {k}", f"c{n}-{k}@example.com")
        session.flush()
        seen: list[str] = []
        engine = session.get_bind()
        listener = lambda *args: seen.append(args[2])  # noqa: E731 - before_cursor_execute(conn, cursor, statement, ...)
        event.listen(engine, "before_cursor_execute", listener)
        try:
            for grouping in queue.Grouping:
                page = queue.page(session, filters, grouping=grouping, cursor=None, limit=200)
                assert page.groups
                for g in page.groups:
                    _ = [e.draft for e in g.entries]
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    assert statements(3) == statements(60)


def test_a_person_under_two_roles_is_still_one_group(session: Session) -> None:
    """Contacts differing only in case and spaces are one person; different ones are not."""
    w = build_queue(session)
    entry(session, w["late"], "B. Carter", "BEN@CARTER.EXAMPLE")
    entry(session, w["late"], "Ben at home", "ben@home.example")
    session.commit()
    page = queue.customer_page(session, queue.QueueFilters(), cursor=None, limit=50)
    ben = next(g for g in page.groups if g.key == "ben@carter.example")
    assert len(ben.entries) == 3 and ben.customer_name == "Ben Carter" and ben.other_names == ["B. Carter"]
    assert any(g.key == "ben@home.example" for g in page.groups)
    assert factories.person(session, Role.owner)  # the world stays usable
