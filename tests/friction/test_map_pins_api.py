"""`GET /journey-maps/{id}/pins`: the map's friction as its page pins it, as JSON (the same
tracker/friction/queries.pins_for_map the page draws)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from tests import factories
from tests.factories.programme import build_world
from tracker.actions.models import ActionItem, Phase, Priority, TrainingRecord
from tracker.people.models import Role


def _fix(session: Session, world: dict[str, object], days: int, title: str) -> ActionItem:
    item = ActionItem(title=title, team_id=world["team"].id, owner_id=world["owner"].id,  # type: ignore[attr-defined]
                      deadline=date.today() + timedelta(days=days), priority=Priority.medium,
                      phase=Phase.planned, moment_id=world["moment"].id)  # type: ignore[attr-defined]
    session.add(item)
    session.flush()
    session.add(TrainingRecord(action_item_id=item.id, needed=False))
    return item


def test_pins_list_each_point_with_its_moment_and_most_urgent_fixes(client, session) -> None:  # type: ignore[no-untyped-def]
    world = build_world(session)
    _, headers = factories.user(session, Role.viewer)
    late = [_fix(session, world, -(n + 1), f"Late {n}") for n in range(6)]
    session.commit()
    map_id, point = world["journey"].id, world["friction"]

    r = client.get(f"/journey-maps/{map_id}/pins", headers=headers)
    assert r.status_code == 200, r.text
    (pin,) = r.json()
    assert pin["id"] == point.id and pin["step_id"] == world["step"].id and pin["title"] == point.title
    assert pin["moment"] == {"id": world["moment"].id, "title": world["moment"].title,
                             "severity": world["moment"].severity}
    assert pin["fixes_total"] == 7 and pin["fixes_overdue"] == 6 and pin["fixes_done"] == 0
    assert [f["action_item_id"] for f in pin["fixes"]] == [i.id for i in reversed(late)][:5]  # most overdue first
    assert pin["fixes"][0] == {"action_item_id": late[5].id, "title": "Late 5", "phase": "planned",
                               "deadline": (date.today() - timedelta(days=6)).isoformat(), "overdue": True,
                               "owner_name": world["owner"].name}

    full = client.get(f"/journey-maps/{map_id}/pins", params={"in_full": point.id}, headers=headers).json()
    assert len(full[0]["fixes"]) == 7


def test_an_unknown_map_or_a_bad_point_is_refused_by_name(client, session) -> None:  # type: ignore[no-untyped-def]
    _, headers = factories.user(session, Role.viewer)
    session.commit()
    missing = client.get("/journey-maps/999999/pins", headers=headers)
    assert missing.status_code == 404 and "999999" in missing.text
    bad = client.get("/journey-maps/1/pins", params={"in_full": "x"}, headers=headers)
    assert bad.status_code == 422 and "in_full" in bad.text
    assert client.get("/journey-maps/1/pins").status_code == 401
