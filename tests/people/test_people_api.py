from __future__ import annotations

from tests import factories
from tracker.people.models import Role


def test_health_needs_no_token(client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_missing_and_bad_tokens_are_refused(client) -> None:
    assert client.get("/people").status_code == 401
    response = client.get("/people", headers={"Authorization": "Bearer trk_nope"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_admin_creates_person_and_token_once(client, session) -> None:
    _, admin = factories.user(session, Role.admin)
    created = client.post("/people", headers=admin, json={
        "name": "Ola", "email": "OLA@Example.com", "role": "owner", "timezone": "Europe/Oslo"})
    assert created.status_code == 201, created.text
    person = created.json()
    assert person["email"] == "ola@example.com"
    token = client.post(f"/people/{person['id']}/tokens", headers=admin, json={"name": "cli"}).json()
    secret = token["token"]
    me = client.get("/people/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.json()["id"] == person["id"]
    listed = client.get(f"/people/{person['id']}/tokens", headers=admin).json()
    assert "token" not in listed[0] and listed[0]["prefix"] == secret[:10]
    # Revoked tokens stop working at once.
    assert client.delete(f"/tokens/{token['id']}", headers=admin).status_code == 200
    assert client.get("/people/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_duplicate_email_and_bad_timezone_are_named(client, session) -> None:
    _, admin = factories.user(session, Role.admin)
    body = {"name": "A", "email": "a@example.com", "role": "viewer"}
    assert client.post("/people", headers=admin, json=body).status_code == 201
    dup = client.post("/people", headers=admin, json=body)
    assert dup.status_code == 409 and dup.json()["error"]["field"] == "email"
    bad = client.post("/people", headers=admin, json={**body, "email": "b@example.com", "timezone": "Mars/Base"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "timezone"


def test_self_edit_limited_and_versioned(client, session) -> None:
    me, headers = factories.user(session, Role.owner)
    no_version = client.patch(f"/people/{me.id}", headers=headers, json={"timezone": "Asia/Tokyo"})
    assert no_version.status_code == 428
    ok = client.patch(f"/people/{me.id}", headers={**headers, "If-Match": '"1"'},
                      json={"timezone": "Asia/Tokyo"})
    assert ok.status_code == 200 and ok.json()["version"] == 2 and ok.headers["ETag"] == '"2"'
    stale = client.patch(f"/people/{me.id}", headers=headers, json={"name": "X", "version": 1})
    assert stale.status_code == 412
    promote_self = client.patch(f"/people/{me.id}", headers=headers, json={"role": "admin", "version": 2})
    assert promote_self.status_code == 403 and promote_self.json()["error"]["field"] == "role"
