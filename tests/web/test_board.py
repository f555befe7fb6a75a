"""The action board: columns, cards, filters, the table and CSV, and card moves by each role."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from typing import Any

from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from tests.factories.programme import build_world
from tests.web.conftest import HTML, Browser
from tracker.actions import board, service
from tracker.actions.models import ActionItem, Phase, Priority, TrainingRecord
from tracker.people.models import Role

XSS = '=HYPERLINK("http://x")<script>alert(1)</script><img src=x onerror=alert(1)>'


def _item(session: Session, world: dict[str, Any], **kw: object) -> ActionItem:
    values: dict[str, object] = {"title": "Another fix", "team_id": world["team"].id,
                                 "owner_id": world["owner"].id, "deadline": date.today() + timedelta(days=3),
                                 "priority": Priority.medium, "phase": Phase.planned}
    values.update(kw)
    item = ActionItem(**values)
    session.add(item)
    session.flush()
    session.add(TrainingRecord(action_item_id=item.id, needed=False))
    session.commit()
    return item


def _card(page: str, item_id: int) -> str:
    return page.split(f'id="card-{item_id}"')[1].split('<li class="card')[0].split("</section>")[0]


def _move(browser: Browser, item: ActionItem, to: str, token: str, scripted: bool = True,
          **extra: str) -> Response:
    return _post(browser, f"/app/board/items/{item.id}/phase",
                 {"to": to, "version": str(item.version), "csrf_token": token, **extra}, scripted=scripted)


def _post(browser: Browser, url: str, data: dict[str, str], *, scripted: bool = True) -> Response:
    """As board.js sends it (its header asks for the card), or as a plain form."""
    headers = {**HTML, "X-Board-Move": "1"} if scripted else HTML
    return browser.client.post(url, data=data, headers=headers, follow_redirects=False)


def test_the_board_shows_columns_and_cards(browser: Browser, session: Session) -> None:
    world = build_world(session)
    late = _item(session, world, title="Late fix", deadline=date.today() - timedelta(days=2),
                 phase=Phase.implementing)
    browser.sign_in_as(world["lead"])
    page = browser.get("/app/board")
    assert page.status_code == 200
    text = page.text
    for phase in ("Planned", "Implementing", "Training", "Closing loop", "Done", "Blocked", "Cancelled"):
        assert f'id="col-{phase.lower().replace(" ", "_")}"' in text
    assert "Fix VAT line" in text and world["owner"].name in text and world["team"].name in text
    card = _card(text, late.id)
    assert "Overdue" in card and "card--overdue" in text
    assert "Customers told" in text  # the seeded checklist entry
    assert 'data-version="' in text and "Move…" in text
    assert '<a href="/app/board" aria-current="page">Board</a>' in text


def test_a_viewer_reads_the_board_without_controls(browser: Browser, session: Session) -> None:
    build_world(session)
    browser.sign_in_as(factories.person(session, Role.viewer))
    text = browser.get("/app/board").text
    assert "Fix VAT line" in text
    assert "Move…" not in text and "card--movable" not in text and 'name="to"' not in text


def test_an_owner_moves_only_their_own_cards(browser: Browser, session: Session) -> None:
    world = build_world(session)
    other = factories.person(session, Role.owner)
    theirs = _item(session, world, title="Someone else's", owner_id=other.id)
    token = browser.sign_in_as(world["owner"])
    text = browser.get("/app/board").text
    mine, not_mine = _card(text, world["item"].id), _card(text, theirs.id)
    assert "Move…" in mine and "Move…" not in not_mine
    moves = browser.get(f"/app/board/items/{world['item'].id}/moves")
    assert moves.status_code == 200 and "Move to implementing" in moves.text
    assert "Cancel the item" not in moves.text  # a lead's decision
    assert browser.get(f"/app/board/items/{theirs.id}/moves").status_code == 403
    r = _move(browser, theirs, "implementing", token)
    assert r.status_code == 403 and "belongs to someone else" in r.text
    session.refresh(theirs)
    assert theirs.phase is Phase.planned


def test_a_card_carries_its_moves_only_when_its_menu_asks(browser: Browser, session: Session) -> None:
    """The board sends a link per menu, not a form per move per card: the forms come from the
    card's moves route, as a fragment for the board's script or as a page without script."""
    world = build_world(session)
    item = world["item"]
    browser.sign_in_as(world["lead"])
    card = _card(browser.get(f"/app/board?team={world['team'].id}").text, item.id)
    assert 'name="to"' not in card and "<form" not in card
    link = re.search(r'href="(/app/board/items/\d+/moves\?back=[^"]*)"', card)
    assert link is not None and f'data-moves="/app/board/items/{item.id}/moves"' in card
    page = browser.get(link.group(1).replace("&amp;", "&"))
    assert page.status_code == 200 and "<h1>Move “" in page.text
    forms = re.findall(r'<form method="post" action="/app/board/items/(\d+)/phase"', page.text)
    assert forms and set(forms) == {str(item.id)}
    assert "Cancel the item" in page.text and 'name="reason" required' in page.text  # a lead may cancel, with a reason
    assert f'name="back" value="?team={world["team"].id}"' in page.text  # the forms return to the filtered board
    assert f'href="/app/board?team={world["team"].id}"' in page.text
    assert f'name="version" value="{item.version}"' in page.text
    fragment = browser.client.get(f"/app/board/items/{item.id}/moves", headers={**HTML, "X-Board-Move": "1"})
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<ul class="card__moves">') and "<h1>" not in fragment.text
    assert "Move to implementing" in fragment.text


def test_the_moves_route_keeps_only_a_board_query_as_the_way_back(browser: Browser, session: Session) -> None:
    world = build_world(session)
    browser.sign_in_as(world["lead"])
    hostile = '"><script>alert(1)</script>&team=abc&owner=//evil.example&journey=1'
    page = browser.client.get(f"/app/board/items/{world['item'].id}/moves", params={"back": hostile},
                              headers=HTML)
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text and "evil.example" not in page.text
    assert 'name="back" value=""' in page.text  # filters that do not parse: the whole board
    assert browser.client.get("/app/board/items/999999/moves", headers=HTML).status_code == 404
    too_long = browser.client.get(f"/app/board/items/{world['item'].id}/moves", params={"back": "x" * 2001},
                                  headers=HTML)
    assert too_long.status_code == 422 and "back" in too_long.text


def test_an_allowed_move_answers_the_card_in_its_new_phase(browser: Browser, session: Session) -> None:
    world = build_world(session)
    item = world["item"]
    token = browser.sign_in_as(world["owner"])
    r = _move(browser, item, "implementing", token)
    assert r.status_code == 200, r.text
    assert 'data-phase="implementing"' in r.text and "refusal" not in r.text
    session.refresh(item)
    assert item.phase is Phase.implementing


def test_a_refused_move_says_which_phases_are_allowed(browser: Browser, session: Session) -> None:
    world = build_world(session)
    item = world["item"]
    token = browser.sign_in_as(world["lead"])
    r = _move(browser, item, "done", token)
    assert r.status_code == 409
    assert 'class="refusal"' in r.text and "allowed=[implementing, blocked, cancelled]" in r.text
    assert 'data-phase="planned"' in r.text  # the card as it is, to put back
    r = _move(browser, item, "blocked", token)
    assert r.status_code == 422 and "reason is required" in r.text


def test_done_refusal_names_the_blockers(browser: Browser, session: Session) -> None:
    world = build_world(session)
    item = _item(session, world, phase=Phase.closing_loop)
    service.add_checklist_entry(session, actor=world["lead"], item_id=item.id,
                                data={"customer_name": "Dana", "contact": "dana@example.com"})
    session.commit()
    session.refresh(item)
    token = browser.sign_in_as(world["lead"])
    r = _move(browser, item, "done", token)
    assert r.status_code == 409 and "closed-loop checklist entries are still pending" in r.text


def test_a_stale_move_says_who_changed_what(browser: Browser, session: Session) -> None:
    world = build_world(session)
    item = world["item"]
    token = browser.sign_in_as(world["owner"])
    shown = item.version
    service.change_phase(session, actor=world["lead"], item_id=item.id, to=Phase.blocked, reason="legal",
                         expected_version=shown)
    session.commit()
    r = _post(browser, f"/app/board/items/{item.id}/phase",
              {"to": "implementing", "version": str(shown), "csrf_token": token})
    assert r.status_code == 409
    assert world["lead"].name in r.text and "planned → blocked" in r.text and "not applied" in r.text


def test_a_move_without_script_returns_to_the_filtered_board(browser: Browser, session: Session) -> None:
    world = build_world(session)
    item = world["item"]
    token = browser.sign_in_as(world["owner"])
    back = f"owner={world['owner'].id}&overdue=true"
    r = _move(browser, item, "implementing", token, scripted=False, back=back)
    assert r.status_code == 303 and r.headers["location"] == f"/app/board?owner={world['owner'].id}&overdue=true"
    session.refresh(item)
    r = _move(browser, item, "done", token, scripted=False, back=back)
    assert r.status_code == 409 and "cannot move to done" in r.text and "<h1>Action board</h1>" in r.text


def test_filters_narrow_the_board(browser: Browser, session: Session) -> None:
    world = build_world(session)
    other_team = factories.team(session)
    _item(session, world, title="Other team's fix", team_id=other_team.id)
    late = _item(session, world, title="Late fix", deadline=date.today() - timedelta(days=1))
    browser.sign_in_as(world["lead"])
    text = browser.get(f"/app/board?team={other_team.id}").text
    assert "Other team&#39;s fix" in text and "Fix VAT line" not in text
    assert f'moves?back=%3Fteam%3D{other_team.id}"' in text  # a move without script comes back here
    text = browser.get("/app/board?overdue=true").text
    assert late.title in text and "Fix VAT line" not in text
    text = browser.get(f"/app/board?journey={world['journey'].id}").text
    assert "Fix VAT line" in text and "Late fix" not in text
    text = browser.get(f"/app/board?moment={world['moment'].id}&owner={world['owner'].id}").text
    assert "Fix VAT line" in text and "Late fix" not in text
    text = browser.get("/app/board?team=abc").text
    assert "were not understood" in text and "Fix VAT line" in text


def test_the_table_sorts_and_the_csv_matches_it(browser: Browser, session: Session) -> None:
    world = build_world(session)
    _item(session, world, title="Aardvark fix", deadline=date.today() + timedelta(days=30))
    _item(session, world, title=XSS)
    browser.sign_in_as(world["lead"])
    text = browser.get("/app/board?view=table&sort=title").text
    assert 'aria-sort="ascending"' in text
    assert text.index("Aardvark fix") < text.index("Fix VAT line")
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;" in text
    text = browser.get("/app/board?view=table&sort=-deadline").text
    assert text.index("Aardvark fix") < text.index("Fix VAT line")
    r = browser.get("/app/board.csv?sort=title")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.text)))
    titles = [row[1] for row in rows[1:]]
    assert titles.index("Aardvark fix") < titles.index("Fix VAT line")
    assert "'" + XSS in titles  # a formula stays text
    assert all(not t.startswith(("=", "+", "-", "@")) for row in rows for t in row)


def test_the_table_shows_one_phase_from_show_more(browser: Browser, session: Session) -> None:
    world = build_world(session)
    _item(session, world, title="Under way", phase=Phase.implementing)
    browser.sign_in_as(world["lead"])
    text = browser.get("/app/board?view=table&phase=implementing").text
    assert "Under way" in text and "Fix VAT line" not in text



def _column(page: str, phase: str) -> str:
    return page.split(f'<ul class="column__cards" data-phase="{phase}"')[1].split("</section>")[0]


def test_each_column_shows_its_nearest_deadlines_and_counts_the_rest(browser: Browser, session: Session) -> None:
    world = build_world(session)  # and its one planned item
    due = date.today() + timedelta(days=1)
    for n in range(board.PER_COLUMN + 2):
        _item(session, world, title=f"Planned {n:02}", deadline=due + timedelta(days=n))
    for n in range(3):
        _item(session, world, title=f"Doing {n}", phase=Phase.implementing, deadline=due + timedelta(days=9 - n))
    browser.sign_in_as(world["lead"])
    text = browser.get("/app/board").text
    planned = _column(text, "planned")
    nearest = session.scalars(select(ActionItem.id).where(ActionItem.phase == Phase.planned)
                              .order_by(ActionItem.deadline, ActionItem.id).limit(board.PER_COLUMN))
    assert re.findall(r'data-item="(\d+)"', planned) == [str(i) for i in nearest]
    assert "3 more in the table" in planned and f'data-count="planned">{board.PER_COLUMN + 3}<' in text
    doing = _column(text, "implementing")
    assert doing.index("Doing 2") < doing.index("Doing 1") < doing.index("Doing 0")
    assert "more in the table" not in doing
