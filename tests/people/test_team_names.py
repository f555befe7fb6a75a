"""A team's name is unique without regard to case, on create and on rename, and the refusal
names the field (the database's own unique index would only say "conflict")."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests import factories
from tracker.people.models import Role


def test_a_taken_name_is_refused_by_name_on_create_and_rename(client: TestClient, session: Session) -> None:
    _, headers = factories.user(session, Role.lead)
    billing = factories.team(session, name="Billing")
    docs = factories.team(session, name="Docs")
    session.commit()
    r = client.post("/teams", headers=headers, json={"name": "billing", "department": "billing"})
    assert r.status_code == 409 and r.json()["error"]["field"] == "name"
    r = client.patch(f"/teams/{docs.id}", headers=headers, json={"name": "BILLING", "version": docs.version})
    assert r.status_code == 409 and r.json()["error"]["field"] == "name", r.text
    assert "already exists" in r.json()["error"]["message"]
    # Its own name, in another case, is not "taken".
    r = client.patch(f"/teams/{billing.id}", headers=headers, json={"name": "BILLING", "version": billing.version})
    assert r.status_code == 200 and r.json()["name"] == "BILLING"
