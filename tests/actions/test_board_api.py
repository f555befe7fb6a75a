"""`GET /board`: the action board's columns as JSON, read by the same tracker/actions/board.py as
the board page: each phase's count and nearest deadlines, and what each card shows."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy.orm import Session

from tests import factories
from tests.web.conftest import HTML
from tracker.actions import board, service
from tracker.actions.models import ActionItem, Phase, Priority, TrainingRecord
from tracker.auth.sessions import start_session
from tracker.people.models import Role
from tracker.web.session import COOKIE


def _item(session: Session, owner_id: int, team_id: int, days: int, phase: Phase = Phase.planned,
          title: str = "Fix") -> ActionItem:
    item = ActionItem(title=title, team_id=team_id, owner_id=owner_id, deadline=date.today() + timedelta(days=days),
                      priority=Priority.medium, phase=phase)
    session.add(item)
    session.flush()
    session.add(TrainingRecord(action_item_id=item.id, needed=phase is Phase.training, target_count=20,
                               people_trained=5))
    return item


def test_the_board_json_has_every_column_with_counts_and_cards(client, session) -> None:  # type: ignore[no-untyped-def]
    owner = factories.person(session, Role.owner)
    lead, headers = factories.user(session, Role.lead)
    team, other = factories.team(session), factories.team(session)
    late = _item(session, owner.id, team.id, -3, title="Late one")
    soon = _item(session, owner.id, team.id, 2, title="Soon one")
    training = _item(session, owner.id, team.id, 5, Phase.training, title="Being trained")
    for n in range(board.PER_COLUMN + 2):
        _item(session, owner.id, other.id, 30 + n, title=f"Other team {n}")
    session.commit()
    service.add_checklist_entry(session, actor=lead, item_id=training.id,
                                data={"customer_name": "Dana", "contact": "dana@example.com"})
    session.commit()

    r = client.get("/board", headers=headers)
    assert r.status_code == 200, r.text
    columns = {c["phase"]: c for c in r.json()["columns"]}
    assert list(columns) == [p.value for p in board.COLUMNS]
    planned = columns["planned"]
    assert planned["total"] == board.PER_COLUMN + 4 and len(planned["cards"]) == board.PER_COLUMN
    assert [c["item"]["id"] for c in planned["cards"][:2]] == [late.id, soon.id]  # nearest deadlines first
    first = planned["cards"][0]
    assert first["overdue"] is True and first["owner"] == owner.name and first["team"] == team.name
    assert first["ticket"] is None and first["training"] is None and first["customers_to_tell"] == 0
    (card,) = columns["training"]["cards"]
    assert card["training"] == {"people_trained": 5, "target_count": 20}
    assert card["customers_told"] == 0 and card["customers_to_tell"] == 1

    mine = {c["phase"]: c for c in client.get("/board", params={"team_id": team.id, "overdue": True},
                                              headers=headers).json()["columns"]}
    assert mine["planned"]["total"] == 1 and [c["item"]["id"] for c in mine["planned"]["cards"]] == [late.id]
    assert mine["training"]["total"] == 0


def test_the_page_and_the_json_show_the_same_cards(client, session) -> None:  # type: ignore[no-untyped-def]
    owner = factories.person(session, Role.owner)
    lead, headers = factories.user(session, Role.lead)
    team = factories.team(session)
    for n in range(6):
        _item(session, owner.id, team.id, n - 2, Phase.implementing if n % 2 else Phase.planned, title=f"Item {n}")
    session.commit()
    _, secret = start_session(session, person=lead)
    session.commit()
    api = [c["item"]["id"] for col in client.get("/board", headers=headers).json()["columns"] for c in col["cards"]]
    client.cookies.set(COOKIE, secret)
    page = client.get("/app/board", headers=HTML).text
    assert [int(i) for i in re.findall(r'<li class="card[^"]*" id="card-(\d+)"', page)] == api


def test_bad_filters_are_refused_by_name(client, session) -> None:  # type: ignore[no-untyped-def]
    _, headers = factories.user(session, Role.viewer)
    session.commit()
    r = client.get("/board", params={"team_id": "three"}, headers=headers)
    assert r.status_code == 422 and "team_id" in r.text
    assert client.get("/board").status_code == 401
