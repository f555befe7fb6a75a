"""The journey map pages through the app: the map with its curve, pins and fixes, the line-up,
the CSV import (preview, confirm, all or nothing), who sees which control, and escaping."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests import factories
from tests.factories.programme import build_world
from tests.web.conftest import Browser, csrf_of
from tracker.actions.models import ActionItem, Phase, Priority
from tracker.friction.models import FrictionPoint
from tracker.friction.queries import fixes_for_map, pins_for_map
from tracker.journeys.models import Channel, JourneyMap, JourneyStage, JourneyStep, MapKind
from tracker.people.models import Role

BOARD = Path(__file__).resolve().parents[2] / "tracker" / "demo" / "board.csv"
XSS_STEP = "<script>alert(1)</script>"
XSS_FRICTION = '"><img src=x onerror=alert(1)>'


def _employee_map(session: Session) -> JourneyMap:
    jmap = JourneyMap(name="Agent resolves the dispute", kind=MapKind.employee, persona="Support agent",
                      scope_start="Ticket arrives", scope_end="Ticket closed")
    for i, (stage, steps) in enumerate((("Triage", ["Reads ticket", "Routes it"]), ("Fix", ["Asks billing"]))):
        st = JourneyStage(position=i, name=stage)
        for j, name in enumerate(steps):
            st.steps.append(JourneyStep(position=j, name=name, channel=Channel.other, emotion_score=j - 1))
        jmap.stages.append(st)
    session.add(jmap)
    session.commit()
    return jmap


def _overdue_fix(session: Session, world: dict[str, object]) -> ActionItem:
    item = ActionItem(moment_id=world["moment"].id, title="Reword the VAT line",  # type: ignore[attr-defined]
                      team_id=world["team"].id, owner_id=world["owner"].id,  # type: ignore[attr-defined]
                      deadline=date.today() - timedelta(days=3), priority=Priority.medium,
                      phase=Phase.implementing)
    session.add(item)
    session.commit()
    return item


def test_fixes_and_pins_for_a_map_in_a_fixed_number_of_queries(session: Session) -> None:
    world = build_world(session)
    overdue = _overdue_fix(session, world)
    cancelled = _overdue_fix(session, world)
    cancelled.phase = Phase.cancelled
    # No moment of its own: it fixes the point through the investigation promoted from it.
    promoted = _overdue_fix(session, world)
    promoted.moment_id, promoted.investigation_id = None, world["investigation"].id
    promoted.deadline = date.today() + timedelta(days=30)
    session.commit()
    fixes = fixes_for_map(session, journey_map_id=world["journey"].id, today=date.today())
    listed = fixes[world["friction"].id].listed
    # The planned item is found through the moment and the investigation: it counts once.
    assert [f.item_id for f in listed] == [overdue.id, world["item"].id, promoted.id]  # overdue first
    assert listed[0].overdue and not listed[1].overdue and not listed[2].overdue
    assert fixes[world["friction"].id].total == 3
    pins = pins_for_map(session, journey_map_id=world["journey"].id, today=date.today())
    (pin,) = pins[world["step"].id]
    assert pin.moment is not None and pin.moment.title == "The first wrong invoice"
    assert pin.severity == 3 and pin.overdue == 1 and not pin.done


def _fixes(session: Session, world: dict[str, object], *, overdue: int, upcoming: int, done: int) -> list[ActionItem]:
    """Fixes of the world's friction point (through its moment): `overdue` open ones 1, 2, ... days
    late, `upcoming` open ones due in 10, 11, ... days, and `done` ones."""
    items = []
    for n in range(overdue + upcoming + done):
        item = _overdue_fix(session, world)
        item.title = f"Fix number {n}"
        if n < overdue:
            item.deadline = date.today() - timedelta(days=1 + n)
        else:
            item.deadline = date.today() + timedelta(days=10 + n)
            item.phase = Phase.done if n >= overdue + upcoming else Phase.planned
        items.append(item)
    session.commit()
    return items


def test_a_pin_lists_its_five_most_urgent_fixes_and_counts_every_fix(session: Session) -> None:
    world = build_world(session)
    world["item"].phase = Phase.done  # the world's own fix: done, so listed last
    items = _fixes(session, world, overdue=6, upcoming=2, done=1)
    (pin,) = pins_for_map(session, journey_map_id=world["journey"].id, today=date.today())[world["step"].id]
    # Overdue first (most overdue first), then open by deadline, then done: the five most overdue.
    assert [f.item_id for f in pin.fixes] == [i.id for i in items[5::-1]][:5]
    assert pin.more == 5 and pin.overdue == 6 and pin.more_overdue == 1 and not pin.done
    (full,) = pins_for_map(session, journey_map_id=world["journey"].id, today=date.today(),
                           in_full=world["friction"].id)[world["step"].id]
    assert [f.item_id for f in full.fixes] == [i.id for i in items[5::-1]] + [items[6].id, items[7].id,
                                                                            world["item"].id, items[8].id]
    assert full.more == 0 and full.more_overdue == 0 and full.overdue == 6
    # Done counts every fix too: all ten done, five listed, the pin is done.
    for item in items:
        item.phase = Phase.done
    session.commit()
    (pin,) = pins_for_map(session, journey_map_id=world["journey"].id, today=date.today())[world["step"].id]
    assert pin.done and pin.overdue == 0 and len(pin.fixes) == 5 and pin.more == 5


def test_a_pin_with_more_than_five_fixes_lists_five_and_links_to_all(browser: Browser, session: Session) -> None:
    world = build_world(session)
    items = _fixes(session, world, overdue=6, upcoming=2, done=0)  # + the world's planned fix: 9
    map_id, point = world["journey"].id, world["friction"].id
    browser.sign_in_as(factories.person(session, Role.viewer))
    html = browser.get(f"/app/journey-maps/{map_id}").text
    pin = html.split(f'data-friction-id="{point}"')[1].split("</li>\n</ul>")[0]
    assert pin.count('<li class="fix') == 5 and pin.count("badge--overdue") == 5
    for item in items[5::-1][:5]:  # the five most overdue
        assert f'href="/app/action-items/{item.id}"' in pin
    assert f'href="/app/action-items/{items[0].id}"' not in pin  # the sixth overdue one is counted
    link = f"/app/journey-maps/{map_id}?fixes={point}#friction-{point}"
    assert f'<a href="{link}">4 more fixes, 1 overdue</a>' in pin
    assert f'id="friction-{point}"' in html and "pin--overdue" in html
    assert "1 with overdue fixes" in html  # the map's summary counts the point once
    # The link lists every fix of that point, and nothing more to open.
    full = browser.get(link.split("#")[0]).text
    pin = full.split(f'data-friction-id="{point}"')[1].split("</li>\n</ul>")[0]
    assert pin.count('<li class="fix') == 9 and pin.count("badge--overdue") == 6 and "more fix" not in pin
    for item in [*items, world["item"]]:
        assert f'href="/app/action-items/{item.id}"' in pin


def test_the_map_page_shows_cards_curve_pins_and_fix_status(browser: Browser, session: Session) -> None:
    world = build_world(session)
    item = _overdue_fix(session, world)
    browser.sign_in_as(world["owner"])
    page = browser.get(f"/app/journey-maps/{world['journey'].id}")
    assert page.status_code == 200
    html = page.text
    for text in ("Broken invoice", "Notice the problem", "Opens the PDF", "Why is VAT doubled?", "Annoyed",
                 "VAT shown twice", "Severity 3/5", "The first wrong invoice", "Fix VAT line", "Overdue"):
        assert text in html, text
    assert f'href="/app/moments/{world["moment"].id}"' in html
    assert f'href="/app/action-items/{item.id}"' in html
    assert re.search(r"<polyline[^>]*points=\"[\d.]+,[\d.]+\"", html)  # one step, one point
    assert "Import friction" not in html  # an owner may not import
    assert 'href="/app/journey-maps"' in html  # the menu entry
    assert "css/journeys.css" in html


def test_the_list_shows_every_map_with_its_size(browser: Browser, session: Session) -> None:
    world = build_world(session)
    browser.sign_in_as(factories.person(session, Role.viewer))
    html = browser.get("/app/journey-maps").text
    assert f'href="/app/journey-maps/{world["journey"].id}"' in html and "Broken invoice" in html


def test_hostile_titles_render_inert(browser: Browser, session: Session) -> None:
    world = build_world(session)
    world["step"].name = XSS_STEP
    world["friction"].title = XSS_FRICTION
    session.commit()
    browser.sign_in_as(world["lead"])
    for url in (f"/app/journey-maps/{world['journey'].id}", f"/app/journey-maps/{world['journey'].id}/import"):
        html = browser.get(url).text
        assert "<script>alert" not in html and "<img src=x" not in html, url
    html = browser.get(f"/app/journey-maps/{world['journey'].id}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_the_line_up_places_both_maps_and_refuses_a_same_kind_pair(browser: Browser, session: Session) -> None:
    world = build_world(session)
    employee = _employee_map(session)
    browser.sign_in_as(factories.person(session, Role.viewer))
    page = browser.get(f"/app/journey-maps/{world['journey'].id}")
    assert f'<option value="{employee.id}"' in page.text  # the pairing select lists the other kind
    lined = browser.get(f"/app/journey-maps/{world['journey'].id}?with={employee.id}")
    assert lined.status_code == 200
    html = lined.text
    assert "Customer and employee, stage by stage" in html and "Agent resolves the dispute" in html
    assert html.count('class="curve customer"') == 1 and html.count('class="curve employee"') == 1
    # Stage 1 is two columns wide (the employee's two steps): the customer's lane gets an empty slot.
    assert 'jmap-col--empty' in html and "(no stage here)" in html
    same = browser.get(f"/app/journey-maps/{world['journey'].id}?with={world['journey'].id}")
    assert same.status_code == 422 and "other kind" in same.text
    assert browser.get(f"/app/journey-maps/{world['journey'].id}?with=999999").status_code == 404


def test_import_preview_shows_errors_by_line_and_writes_nothing(browser: Browser, session: Session) -> None:
    world = build_world(session)
    browser.sign_in_as(world["lead"])
    form = browser.get(f"/app/journey-maps/{world['journey'].id}/import")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    token = csrf_of(form)
    bad = ("stage,step,title,evidence_source\n"
           "Notice the problem,Opens the PDF,Total hidden,workshop\n"
           "Notice the problem,Nowhere,Lost sticky,workshop\n"
           "Notice the problem,Opens the PDF,Odd source,carrier pigeon\n")
    r = browser.client.post(f"/app/journey-maps/{world['journey'].id}/import/preview",
                            data={"csrf_token": token}, files={"file": ("board.csv", bad.encode(), "text/csv")},
                            headers={"Accept": "text/html"})
    assert r.status_code == 422
    assert "2 problems in the file: nothing was imported" in r.text
    assert "unknown step &#39;Nowhere&#39;" in r.text and "carrier pigeon" in r.text
    assert re.search(r'class="import-row--bad" data-line="3"', r.text)
    assert re.search(r'class="import-row--ok" data-line="2"', r.text)
    assert 'name="csv"' not in r.text  # no confirm button for a bad file
    count = session.scalar(select(func.count()).select_from(FrictionPoint))
    assert count == 1  # the world's own point only


def test_import_confirm_imports_what_the_preview_showed(browser: Browser, session: Session) -> None:
    world = build_world(session)
    browser.sign_in_as(world["lead"])
    map_id = world["journey"].id
    token = csrf_of(browser.get(f"/app/journey-maps/{map_id}/import"))
    good = ("Stage;Step;Title;Evidence Source;Customer Name;Customer Contact\n"
            "Notice the problem;Opens the PDF;Total hidden in the PDF;workshop;Dana;dana@example.com\n")
    r = browser.client.post(f"/app/journey-maps/{map_id}/import/preview", data={"csrf_token": token},
                            files={"file": ("board.csv", good.encode(), "text/csv")}, headers={"Accept": "text/html"})
    assert r.status_code == 200 and "The file is ready to import" in r.text and "1 new friction point" in r.text
    text = r.text.split('name="csv" value="')[1].split('"')[0]
    import html as html_lib
    r = browser.post(f"/app/journey-maps/{map_id}/import", {"csrf_token": token, "csv": html_lib.unescape(text)})
    assert r.status_code == 303 and r.headers["location"] == f"/app/journey-maps/{map_id}?imported=1"
    titles = set(session.scalars(select(FrictionPoint.title).where(FrictionPoint.journey_map_id == map_id)))
    assert titles == {"VAT shown twice", "Total hidden in the PDF"}
    assert "1 friction point added" in browser.get(r.headers["location"]).text


def test_a_confirm_that_no_longer_fits_the_map_imports_nothing(browser: Browser, session: Session) -> None:
    world = build_world(session)
    browser.sign_in_as(world["lead"])
    map_id = world["journey"].id
    token = csrf_of(browser.get(f"/app/journey-maps/{map_id}/import"))
    csv = "stage,step,title\nNotice the problem,Opens the PDF,Fine row\nNotice the problem,Renamed meanwhile,Gone\n"
    r = browser.post(f"/app/journey-maps/{map_id}/import", {"csrf_token": token, "csv": csv})
    assert r.status_code == 422 and "unknown step" in r.text
    assert session.scalar(select(func.count()).select_from(FrictionPoint).where(
        FrictionPoint.title == "Fine row")) == 0


@pytest.mark.parametrize("upload", [b"", "stage,step,title\n\u00e9".encode("latin-1")])
def test_an_empty_or_non_utf8_upload_is_said_plainly(browser: Browser, session: Session, upload: bytes) -> None:
    world = build_world(session)
    browser.sign_in_as(world["lead"])
    token = csrf_of(browser.get(f"/app/journey-maps/{world['journey'].id}/import"))
    r = browser.client.post(f"/app/journey-maps/{world['journey'].id}/import/preview", data={"csrf_token": token},
                            files={"file": ("board.csv", upload, "text/csv")}, headers={"Accept": "text/html"})
    assert r.status_code == 422 and ("empty" in r.text or "not UTF-8" in r.text)


def test_the_template_lists_the_columns_and_this_maps_steps(browser: Browser, session: Session) -> None:
    world = build_world(session)
    browser.sign_in_as(world["lead"])
    r = browser.get(f"/app/journey-maps/{world['journey'].id}/import/template.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = r.text.removeprefix("\ufeff").splitlines()
    assert lines[0].startswith("stage,step,title,description,evidence_source")
    assert lines[1].startswith("Notice the problem,Opens the PDF,")


def test_viewers_and_owners_see_no_import_and_the_server_refuses(browser: Browser, session: Session) -> None:
    world = build_world(session)
    for who in (world["owner"], factories.person(session, Role.viewer)):
        token = browser.sign_in_as(who)
        page = browser.get(f"/app/journey-maps/{world['journey'].id}")
        assert "Import friction" not in page.text
        assert browser.get(f"/app/journey-maps/{world['journey'].id}/import").status_code == 403
        r = browser.post(f"/app/journey-maps/{world['journey'].id}/import",
                         {"csrf_token": token, "csv": "stage,step,title\nNotice the problem,Opens the PDF,X\n"})
        assert r.status_code == 403
    browser.sign_in_as(world["lead"])
    assert "Import friction" in browser.get(f"/app/journey-maps/{world['journey'].id}").text


def test_the_sample_board_imports_into_the_demo_map(session: Session) -> None:
    from tracker.demo import load_demo
    from tracker.friction.csv_import import import_friction_csv

    load_demo(session)
    jmap = session.scalars(select(JourneyMap).where(JourneyMap.name == "Getting help with a broken invoice")).one()
    lead = factories.person(session, Role.lead)
    report = import_friction_csv(session, actor=lead, text=BOARD.read_text(encoding="utf-8"),
                                 journey_map_id=jmap.id, dry_run=True)
    assert report.rows == 4 and report.friction_points_created == 3
