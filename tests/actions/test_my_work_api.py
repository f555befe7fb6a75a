"""`GET /my-work`: the caller's work list as JSON, the same rows, blockers, next steps and
snoozes as the My work page (both read tracker/actions/worklist.py)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from tests import factories
from tracker.actions import service
from tracker.actions.models import ActionItem, Phase, Priority, TrainingRecord
from tracker.people.models import Role


def _item(session: Session, owner_id: int, team_id: int, days: int, **kw: object) -> ActionItem:
    item = ActionItem(title=kw.pop("title", f"Fix due in {days}"), team_id=team_id, owner_id=owner_id,
                      deadline=date.today() + timedelta(days=days), priority=Priority.medium,
                      phase=kw.pop("phase", Phase.planned), **kw)
    session.add(item)
    session.flush()
    session.add(TrainingRecord(action_item_id=item.id, needed=False))
    return item


def test_my_work_lists_the_callers_open_items_with_blockers_and_next_steps(client, session) -> None:  # type: ignore[no-untyped-def]
    owner, headers = factories.user(session, Role.owner)
    lead = factories.person(session, Role.lead)
    team = factories.team(session)
    later = _item(session, owner.id, team.id, 9, title="Later")
    late = _item(session, owner.id, team.id, -2, title="Late", phase=Phase.implementing)
    _item(session, lead.id, team.id, -5, title="Not mine")
    done = _item(session, owner.id, team.id, -1, title="Finished", phase=Phase.closing_loop,
                 checklist_waived_reason="no customers to tell")
    session.commit()
    service.change_phase(session, actor=lead, item_id=done.id, to=Phase.done, expected_version=None)
    service.add_checklist_entry(session, actor=lead, item_id=late.id,
                                data={"customer_name": "Dana", "contact": "dana@example.com"})
    session.commit()

    r = client.get("/my-work", headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [row["item"]["title"] for row in body["rows"]] == ["Late", "Later"]  # overdue first
    assert body["total"] == 2 and body["overdue"] == 1
    assert [i["title"] for i in body["finished"]] == ["Finished"]
    first = body["rows"][0]
    assert first["item"]["id"] == late.id and first["overdue"] is True and first["days_left"] == -2
    assert first["can_act"] is True and first["ticket"] is None and first["team"] == team.name
    kinds = {b["kind"]: b["text"] for b in first["blockers"]}
    assert set(kinds) == {"work_plan", "checklist"}
    assert kinds["checklist"].startswith("1 customer still to tell")
    assert first["next_step"] == {"to": "closing_loop", "label": "Mark closing the loop", "held_by": []}
    assert first["snooze"]["used"] == 0 and first["snooze"]["allowed"] is True
    assert body["rows"][1]["item"]["id"] == later.id
    assert body["rows"][1]["next_step"]["to"] == "implementing"


def test_a_viewer_has_an_empty_list_and_a_token_is_needed(client, session) -> None:  # type: ignore[no-untyped-def]
    _, headers = factories.user(session, Role.viewer)
    session.commit()
    r = client.get("/my-work", headers=headers)
    assert r.status_code == 200 and r.json() == {"rows": [], "total": 0, "overdue": 0, "finished": []}
    assert client.get("/my-work").status_code == 401
