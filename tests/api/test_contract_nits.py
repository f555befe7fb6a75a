"""Small contract points: 405 names every method of the path, `me` is not an id, unparsable
JSON gets our 422 shape, and the digest takes `md` as the CLI does."""

from __future__ import annotations

from tests import factories
from tracker.people.models import Role


def test_405_allow_names_every_method_of_the_path(client, session) -> None:
    _, headers = factories.user(session, Role.admin)
    response = client.put("/action-items/1", headers=headers, json={})
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "PATCH"}
    teams = client.delete("/teams", headers=headers)
    assert teams.status_code == 405
    assert set(teams.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert teams.json()["error"]["code"] == "method_not_allowed"


def test_patch_people_me_is_405_not_422(client, session) -> None:
    _, headers = factories.user(session, Role.owner)
    response = client.patch("/people/me", headers=headers, json={"name": "X", "version": 1})
    assert response.status_code == 405, response.text
    assert "GET" in response.headers["Allow"]


def test_unparsable_json_gets_the_422_shape(client, session) -> None:
    _, headers = factories.user(session, Role.admin)
    for raw in (b"{not json", b"\xff\xfe{}", b'{"name": "x"'):
        response = client.post("/teams", headers={**headers, "Content-Type": "application/json"}, content=raw)
        assert response.status_code == 422, (raw, response.status_code, response.text)
        error = response.json()["error"]
        assert error["code"] == "invalid" and "not valid JSON" in error["message"] and "field" not in error


def test_digest_takes_md_as_well_as_markdown(client, session) -> None:
    _, headers = factories.user(session, Role.viewer)
    for name in ("md", "markdown"):
        response = client.get("/digests/programme", headers=headers, params={"format": name})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/markdown")
