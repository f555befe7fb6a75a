"""NUL characters are refused in every text of every request body, on SQLite as on PostgreSQL
(which cannot store them), naming the field; CSV cells too."""

from __future__ import annotations

import typing

import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel

from tests import factories
from tests.factories import actions as af
from tests.factories import journeys as jf
from tracker.app import create_app
from tracker.config import Settings
from tracker.friction.csv_import import ImportFailed, import_friction_csv
from tracker.people.models import Role


def _models(annotation: object) -> typing.Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        for field in annotation.model_fields.values():
            yield from _models(field.annotation)
    for arg in typing.get_args(annotation):
        yield from _models(arg)


def _api_routes(routes: list[typing.Any]) -> typing.Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # this FastAPI nests included routers
            yield from _api_routes(route.original_router.routes)


def _body_models() -> set[type[BaseModel]]:
    app = create_app(Settings(database_url="sqlite://"))
    found: set[type[BaseModel]] = set()
    for route in _api_routes(app.routes):
        for param in route.dependant.body_params:
            found.update(_models(param.field_info.annotation))
    return found


def test_every_request_body_model_refuses_nul() -> None:
    models = _body_models()
    assert len(models) > 20
    from tracker.api.input import Input

    lax = sorted(m.__qualname__ for m in models if not issubclass(m, Input))
    assert lax == [], f"request bodies that would take NUL characters: {lax}"


def test_a_persons_name_with_nul_is_refused_naming_it(client, session) -> None:
    me, headers = factories.user(session, Role.owner)
    response = client.patch(f"/people/{me.id}", headers=headers, json={"name": "Ana\x00", "version": 1})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == "name"


def test_nested_and_listed_texts_are_refused(client, session) -> None:
    _, lead = factories.user(session, Role.lead)
    moment = af.moment(session)
    session.commit()
    response = client.post("/investigations", headers=lead, json={
        "moment_id": moment.id, "title": "Why?", "hypotheses": ["fine", "bad\x00"]})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"].startswith("hypotheses")


def test_csv_cells_with_nul_are_refused(session) -> None:
    lead = factories.person(session, Role.lead)
    jmap = jf.journey_map(session)
    text = "stage,step,title,description\nNotice,Open invoice,Bad\x00title,also\x00bad\n"
    with pytest.raises(ImportFailed) as caught:
        import_friction_csv(session, actor=lead, text=text, journey_map_id=jmap.id)
    fields = {(e["line"], e["field"]) for e in caught.value.details["errors"]}
    assert {(2, "title"), (2, "description")} <= fields


