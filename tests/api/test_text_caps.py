"""Every free-text field a client can send has a length cap (a lead stored a
20 MB description and a list page then weighed 21 MB)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests import factories
from tracker.people.models import Role


def _request_schemas(spec: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for path in spec["paths"].values():
        for operation in path.values():
            content = (operation.get("requestBody") or {}).get("content") or {}
            for media in content.values():
                ref = media.get("schema", {}).get("$ref", "")
                if ref:
                    names.add(ref.rsplit("/", 1)[-1])
    return names


def _uncapped(schema: dict[str, Any], components: dict[str, Any], where: str, seen: set[str]) -> list[str]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        seen.add(name)
        return _uncapped(components[name], components, where, seen)
    found: list[str] = []
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            found += _uncapped(option, components, where, seen)
    kind = schema.get("type")
    # Not free text: enums, formats (dates, emails), patterns (vendor ids) and IANA zone names,
    # which are checked against the zone database.
    shaped = {"maxLength", "enum", "format", "pattern"} & schema.keys() or where.endswith(".timezone")
    if kind == "string" and not shaped:
        found.append(where)
    if kind == "array":
        found += _uncapped(schema.get("items", {}), components, where + "[]", seen)
    for name, prop in (schema.get("properties") or {}).items():
        found += _uncapped(prop, components, f"{where}.{name}", seen)
    return found


def test_every_text_field_in_every_request_body_has_a_max_length(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    components = spec["components"]["schemas"]
    uncapped: list[str] = []
    for name in sorted(_request_schemas(spec)):
        uncapped += _uncapped({"$ref": f"#/components/schemas/{name}"}, components, name, set())
    assert uncapped == []


def test_a_description_over_the_cap_is_refused_naming_the_field(client: TestClient, session) -> None:  # type: ignore[no-untyped-def]
    _, headers = factories.user(session, Role.lead)
    session.commit()
    response = client.post("/action-items", headers=headers,
                           json={"title": "t", "description": "x" * 20_001, "owner_id": 1,
                                 "deadline": "2030-01-01", "moment_id": 1})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "description"
