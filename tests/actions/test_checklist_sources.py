"""The closed-loop checklist follows its sources after promotion, through HTTP only.

An item's checklist lists the affected customers of the friction points grouped under its
moment (and of the friction point its investigation was promoted from). Customers recorded
later, and friction points grouped later, must reach it; removals must never erase the record
of someone already told.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests import factories
from tracker.people.models import Role

H = dict[str, str]
DEADLINE = (date.today() + timedelta(days=30)).isoformat()


def _ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, (r.status_code, r.text)
    return r.json()


class Programme:
    """A lead's map with one step, a moment, and helpers to drive them over HTTP."""

    def __init__(self, client: TestClient, session: Session) -> None:
        self.client = client
        _, self.lead = factories.user(session, Role.lead)
        self.owner_p, self.owner = factories.user(session, Role.owner)
        _, self.support = factories.user(session, Role.owner)
        self.team_id = factories.team(session).id
        session.commit()
        jmap = _ok(client.post("/journey-maps", headers=self.lead, json={
            "name": "Getting help with a broken invoice", "kind": "customer",
            "persona": "Small-business owner", "scope_start": "Invoice arrives",
            "scope_end": "Invoice trusted",
            "stages": [{"name": "Notice", "steps": [
                {"name": "Opens the invoice", "channel": "web", "emotion_score": -2}]}],
        }), 201)
        self.step_id = jmap["stages"][0]["steps"][0]["id"]
        self.map_id = jmap["id"]

    def friction(self, title: str, customers: list[tuple[str, str]],
                 moment_id: int | None = None) -> dict[str, Any]:
        fp = _ok(self.client.post("/friction-points", headers=self.lead, json={
            "step_id": self.step_id, "title": title,
            "affected_customers": [{"name": n, "contact": c} for n, c in customers],
        }), 201)
        if moment_id is not None:
            self.group(moment_id, fp["id"])
        return fp

    def moment(self, *fp_ids: int) -> int:
        return int(_ok(self.client.post("/moments", headers=self.lead, json={
            "title": "The first wrong invoice", "friction_point_ids": list(fp_ids)}), 201)["id"])

    def promote(self, source: dict[str, int], items: int = 1) -> list[int]:
        out = _ok(self.client.post("/promote", headers=self.lead, json={
            "source": source,
            "action_items": [{"title": f"Fix the VAT line {n}", "team_id": self.team_id,
                              "owner_id": self.owner_p.id, "deadline": DEADLINE,
                              "priority": "high"} for n in range(items)],
        }), 201)
        return [int(i) for i in out["action_item_ids"]]

    def group(self, moment_id: int, fp_id: int) -> None:
        _ok(self.client.post(f"/moments/{moment_id}/friction-points", headers=self.lead,
                             json={"friction_point_ids": [fp_id]}))

    def ungroup(self, moment_id: int, fp_id: int) -> None:
        _ok(self.client.delete(f"/moments/{moment_id}/friction-points/{fp_id}", headers=self.lead))

    def add_customer(self, fp_id: int, name: str, contact: str) -> int:
        return int(_ok(self.client.post(f"/friction-points/{fp_id}/affected-customers",
                                        headers=self.lead,
                                        json={"name": name, "contact": contact}), 201)["id"])

    def remove_customer(self, fp_id: int, customer_id: int) -> None:
        r = self.client.delete(f"/friction-points/{fp_id}/affected-customers/{customer_id}",
                               headers=self.lead)
        assert r.status_code == 204, r.text

    def checklist(self, item_id: int) -> dict[str, dict[str, Any]]:
        """The item's entries by customer name."""
        page = _ok(self.client.get(f"/action-items/{item_id}/checklist", headers=self.owner,
                                   params={"limit": 200}))
        return {e["customer_name"]: e for e in page["items"]}

    def tell(self, item_id: int, entry: dict[str, Any], status: str = "notified") -> None:
        _ok(self.client.patch(f"/action-items/{item_id}/checklist/{entry['id']}",
                              headers=self.support,
                              json={"status": status, "note": "Emailed the fix",
                                    "version": entry["version"]}))

    def move(self, item_id: int, to: str) -> Any:
        version = _ok(self.client.get(f"/action-items/{item_id}", headers=self.owner))["version"]
        return self.client.post(f"/action-items/{item_id}/phase", headers=self.owner,
                                json={"to": to, "version": version})

    def to_closing_loop(self, item_id: int) -> None:
        for phase in ("implementing", "closing_loop"):
            _ok(self.move(item_id, phase))

    def activity(self, item_id: int) -> list[dict[str, Any]]:
        return list(_ok(self.client.get(f"/action-items/{item_id}/activity", headers=self.lead,
                                        params={"limit": 200}))["items"])


def test_customer_added_after_promotion_is_pending_and_blocks_done(
    client: TestClient, session: Session
) -> None:
    p = Programme(client, session)
    fp = p.friction("VAT shown twice", [("Dana Ruiz", "dana@ruiz.example")])
    moment_id = p.moment(fp["id"])
    (item,) = p.promote({"moment_id": moment_id})
    p.to_closing_loop(item)
    p.tell(item, p.checklist(item)["Dana Ruiz"])

    lee = p.add_customer(fp["id"], "Lee Park", "lee@park.example")
    # The same person again (contact differs only in case and spaces): told once.
    p.add_customer(fp["id"], "Dana R.", " DANA@ruiz.example ")

    entries = p.checklist(item)
    assert set(entries) == {"Dana Ruiz", "Lee Park"}
    assert entries["Lee Park"]["status"] == "pending"
    assert entries["Lee Park"]["affected_customer_id"] == lee
    assert entries["Lee Park"]["channel"] == "email"
    detail = _ok(client.get(f"/action-items/{item}", headers=p.owner))
    assert detail["checklist"]["pending"] == 1 and detail["done_blockers"] == ["checklist"]

    refused = p.move(item, "done")
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["details"]["missing"] == ["checklist"]
    assert refused.json()["error"]["details"]["pending_checklist"] == 1

    added = [a for a in p.activity(item) if a["action"] == "checklist_entry_added"]
    assert len(added) == 1 and added[0]["entity_id"] == entries["Lee Park"]["id"]
    assert added[0]["changes"]["customer_name"] == "Lee Park"
    assert f"friction point {fp['id']}" in added[0]["changes"]["reason"]

    p.tell(item, entries["Lee Park"])
    assert _ok(p.move(item, "done"))["phase"] == "done"
    assert _ok(client.get(f"/moments/{moment_id}", headers=p.lead))["status"] == "loop_closed"


def test_friction_point_grouped_into_the_moment_later_brings_its_customers(
    client: TestClient, session: Session
) -> None:
    p = Programme(client, session)
    fp = p.friction("VAT shown twice", [("Dana Ruiz", "dana@ruiz.example")])
    moment_id = p.moment(fp["id"])
    first, second = p.promote({"moment_id": moment_id}, items=2)
    p.to_closing_loop(first)
    p.tell(first, p.checklist(first)["Dana Ruiz"])

    hold = p.friction("25 minutes on hold", [("Ana Costa", "+1 555 0100 22"),
                                             ("Dana again", "dana@ruiz.example")])
    p.group(moment_id, hold["id"])
    # A friction point moved in by editing it counts the same as grouping it.
    pdf = p.friction("PDF will not open", [("Kim Lo", "kim@lo.example")])
    _ok(client.patch(f"/friction-points/{pdf['id']}", headers=p.lead,
                     json={"moment_id": moment_id, "version": pdf["version"]}))

    for item in (first, second):
        entries = p.checklist(item)
        assert set(entries) == {"Dana Ruiz", "Ana Costa", "Kim Lo"}, item
        assert entries["Ana Costa"]["status"] == "pending"
        assert entries["Ana Costa"]["channel"] == "phone"
        assert entries["Kim Lo"]["status"] == "pending"
    refused = p.move(first, "done")
    assert refused.status_code == 409
    assert refused.json()["error"]["details"]["pending_checklist"] == 2
    reasons = {a["changes"]["customer_name"]: a["changes"]["reason"] for a in p.activity(first)
               if a["action"] == "checklist_entry_added"}
    assert reasons == {
        "Ana Costa": f"friction point {hold['id']} was grouped into moment {moment_id}",
        "Kim Lo": f"friction point {pdf['id']} was grouped into moment {moment_id}",
    }


def test_removal_keeps_told_customers_and_does_not_block_on_the_unaffected(
    client: TestClient, session: Session
) -> None:
    p = Programme(client, session)
    fp = p.friction("VAT shown twice", [("Dana Ruiz", "dana@ruiz.example"),
                                        ("Lee Park", "lee@park.example")])
    hold = p.friction("25 minutes on hold", [("Ana Costa", "ana@costa.example"),
                                             ("Bo Chen", "bo@chen.example")])
    moment_id = p.moment(fp["id"], hold["id"])
    (item,) = p.promote({"moment_id": moment_id})
    p.to_closing_loop(item)
    entries = p.checklist(item)
    p.tell(item, entries["Dana Ruiz"])
    p.tell(item, entries["Ana Costa"], status="unreachable")
    told = p.checklist(item)
    customers = {c["name"]: c["id"] for c in _ok(client.get(
        f"/friction-points/{fp['id']}", headers=p.lead))["affected_customers"]}

    # Dana was told: deleting her customer record keeps the entry and its history.
    p.remove_customer(fp["id"], customers["Dana Ruiz"])
    # Lee was never told and is no longer affected: he must not hold the item back.
    p.remove_customer(fp["id"], customers["Lee Park"])
    # Ungrouping takes Bo (pending) off the list; Ana (tried, unreachable) stays.
    p.ungroup(moment_id, hold["id"])

    after = p.checklist(item)
    assert set(after) == {"Dana Ruiz", "Ana Costa"}
    dana = after["Dana Ruiz"]
    assert dana["status"] == "notified" and dana["notified_at"] is not None
    assert dana["note"] == "Emailed the fix" and dana["notified_by_id"] is not None
    # Who, when, how and the note are untouched; only the link to the deleted record is gone.
    assert dana["affected_customer_id"] is None
    assert {**dana, "affected_customer_id": None} == {**told["Dana Ruiz"],
                                                      "affected_customer_id": None}
    assert after["Ana Costa"]["status"] == "unreachable"
    removed = [a for a in p.activity(item) if a["action"] == "checklist_entry_removed"]
    assert sorted(a["changes"]["customer_name"] for a in removed) == ["Bo Chen", "Lee Park"]
    assert all(a["changes"]["status"] == "pending" for a in removed)

    assert _ok(p.move(item, "done"))["phase"] == "done"

    # Grouped again: Bo is affected again and is back as pending (the done item stays done).
    p.group(moment_id, hold["id"])
    back = p.checklist(item)
    assert back["Bo Chen"]["status"] == "pending" and back["Ana Costa"]["status"] == "unreachable"


def test_done_item_is_not_reopened_but_shows_the_late_customer(
    client: TestClient, session: Session
) -> None:
    p = Programme(client, session)
    fp = p.friction("VAT shown twice", [("Dana Ruiz", "dana@ruiz.example")])
    moment_id = p.moment(fp["id"])
    (item,) = p.promote({"moment_id": moment_id})
    p.to_closing_loop(item)
    p.tell(item, p.checklist(item)["Dana Ruiz"])
    assert _ok(p.move(item, "done"))["phase"] == "done"

    p.add_customer(fp["id"], "Lee Park", "lee@park.example")
    detail = _ok(client.get(f"/action-items/{item}", headers=p.lead))
    assert detail["phase"] == "done" and detail["checklist"]["pending"] == 1
    late = [a for a in p.activity(item) if a["action"] == "checklist_entry_added"]
    assert len(late) == 1 and "after the item was done" in late[0]["changes"]["reason"]
    assert late[0]["changes"]["item_phase"] == "done"


def test_investigation_source_and_cancelled_items(client: TestClient, session: Session) -> None:
    p = Programme(client, session)
    fp = p.friction("VAT shown twice", [("Dana Ruiz", "dana@ruiz.example")])
    (item,) = p.promote({"friction_point_id": fp["id"]})
    (cancelled,) = p.promote({"friction_point_id": fp["id"]})
    moment_id = _ok(client.get(f"/action-items/{item}", headers=p.lead))["moment_id"]
    version = _ok(client.get(f"/action-items/{cancelled}", headers=p.lead))["version"]
    _ok(client.post(f"/action-items/{cancelled}/phase", headers=p.lead,
                    json={"to": "cancelled", "reason": "Duplicate", "version": version}))

    # The investigation was promoted from this friction point: it still feeds the item after
    # it leaves the moment, so its customers stay and new ones arrive.
    p.ungroup(moment_id, fp["id"])
    p.add_customer(fp["id"], "Lee Park", "lee@park.example")
    assert set(p.checklist(item)) == {"Dana Ruiz", "Lee Park"}
    # Nobody will be told about a cancelled change: its checklist is left alone.
    assert set(p.checklist(cancelled)) == {"Dana Ruiz"}


def test_csv_import_into_a_promoted_friction_point_reaches_the_checklist(
    client: TestClient, session: Session
) -> None:
    p = Programme(client, session)
    fp = p.friction("Unexplained adjustment line", [("Dana Ruiz", "dana@ruiz.example")])
    (item,) = p.promote({"friction_point_id": fp["id"]})
    csv = ("stage,step,title,customer_name,customer_contact\n"
           "Notice,Opens the invoice,Unexplained adjustment line,Lee Park,lee@park.example\n")
    report = _ok(client.post(f"/journey-maps/{p.map_id}/friction-points/import",
                             headers={**p.lead, "Content-Type": "text/csv"}, content=csv))
    assert report["affected_customers_added"] == 1
    entries = p.checklist(item)
    assert entries["Lee Park"]["status"] == "pending"
