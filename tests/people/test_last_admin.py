"""Somebody must always be able to administer the tracker: the last active admin stays one."""

from __future__ import annotations

import pytest

from tests import factories
from tracker.people.models import Role


def _only_admin(session):  # type: ignore[no-untyped-def]
    # Other tests' admins are rolled back; this test's admin is the only active one.
    return factories.user(session, Role.admin)


@pytest.mark.parametrize("change", [{"role": "lead"}, {"role": "viewer"}, {"active": False}])
def test_last_admin_cannot_demote_or_deactivate_themself(client, session, change) -> None:
    admin, headers = _only_admin(session)
    response = client.patch(f"/people/{admin.id}", headers=headers, json={**change, "version": 1})
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert "last active admin" in error["message"]
    assert error["field"] == next(iter(change))
    assert client.get("/people/me", headers=headers).json()["role"] == "admin"


def test_an_admin_may_step_down_while_another_remains(client, session) -> None:
    admin, headers = _only_admin(session)
    factories.person(session, Role.admin)
    session.commit()
    response = client.patch(f"/people/{admin.id}", headers=headers, json={"role": "lead", "version": 1})
    assert response.status_code == 200, response.text


def test_an_inactive_admin_does_not_count(client, session) -> None:
    admin, headers = _only_admin(session)
    factories.person(session, Role.admin, active=False)
    session.commit()
    response = client.patch(f"/people/{admin.id}", headers=headers, json={"active": False, "version": 1})
    assert response.status_code == 409, response.text
