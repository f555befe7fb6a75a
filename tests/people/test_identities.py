"""Vendor identities (Jira, GitHub, Slack) decide whose items sync to whom: admins set them,
one person holds each, and each has the vendor's shape."""

from __future__ import annotations

import pytest

from tests import factories
from tracker.people.models import Role

IDENTITIES = {"jira_account_id": "557058:bob", "github_login": "bob-gh", "slack_user_id": "U024BE7LH"}


@pytest.mark.parametrize("field", sorted(IDENTITIES))
def test_a_person_cannot_claim_an_identity_for_themself(client, session, field: str) -> None:
    me, headers = factories.user(session, Role.owner)
    response = client.patch(f"/people/{me.id}", headers=headers, json={field: IDENTITIES[field], "version": 1})
    assert response.status_code == 403, response.text
    assert response.json()["error"]["field"] == field


@pytest.mark.parametrize("field", sorted(IDENTITIES))
def test_an_identity_has_one_holder_named_in_the_refusal(client, session, field: str) -> None:
    _, admin = factories.user(session, Role.admin)
    holder = factories.person(session, Role.owner, name="Bob Holder", **{field: IDENTITIES[field]})
    other = factories.person(session, Role.owner)
    session.commit()
    taken = client.patch(f"/people/{other.id}", headers=admin, json={field: IDENTITIES[field], "version": 1})
    assert taken.status_code == 409, taken.text
    error = taken.json()["error"]
    assert error["field"] == field
    assert f"already held by Bob Holder (person {holder.id})" in error["message"]
    created = client.post("/people", headers=admin, json={
        "name": "New", "email": "new@example.com", "role": "owner", field: IDENTITIES[field]})
    assert created.status_code == 409 and created.json()["error"]["field"] == field
    # Giving it back to its holder (same value) is no conflict.
    same = client.patch(f"/people/{holder.id}", headers=admin, json={field: IDENTITIES[field], "version": 1})
    assert same.status_code == 200, same.text


@pytest.mark.parametrize(("field", "bad"), [
    ("slack_user_id", "u024be7lh"), ("slack_user_id", "<svg/onload=alert(1)>"), ("slack_user_id", "X12"),
    ("github_login", "-bob"), ("github_login", "bob_gh"), ("github_login", "b" * 40),
    ("jira_account_id", "557058 bob"), ("jira_account_id", "a/b"), ("jira_account_id", ""),
])
def test_identities_have_the_vendors_shape(client, session, field: str, bad: str) -> None:
    target = factories.person(session, Role.owner)
    _, admin = factories.user(session, Role.admin)
    response = client.patch(f"/people/{target.id}", headers=admin, json={field: bad, "version": 1})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field


def test_admin_sets_and_clears_identities(client, session) -> None:
    target = factories.person(session, Role.owner)
    _, admin = factories.user(session, Role.admin)
    set_ = client.patch(f"/people/{target.id}", headers=admin, json={**IDENTITIES, "version": 1})
    assert set_.status_code == 200, set_.text
    assert {k: set_.json()[k] for k in IDENTITIES} == IDENTITIES
    cleared = client.patch(f"/people/{target.id}", headers=admin,
                           json={"slack_user_id": None, "version": 2})
    assert cleared.status_code == 200 and cleared.json()["slack_user_id"] is None
    # A cleared identity is free again; NULLs never collide.
    other = factories.person(session, Role.owner)
    session.commit()
    taken = client.patch(f"/people/{other.id}", headers=admin, json={"slack_user_id": "U024BE7LH", "version": 1})
    assert taken.status_code == 200, taken.text
